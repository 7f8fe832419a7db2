"""Monitoring's rules, free of I/O: AEFI reports and their workflow, lot signal thresholds."""
