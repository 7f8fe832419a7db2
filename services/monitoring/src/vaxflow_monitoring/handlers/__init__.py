"""Monitoring's use cases: reports and their workflow, lot suspensions, signals, read models."""
