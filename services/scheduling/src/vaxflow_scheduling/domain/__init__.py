"""Scheduling's domain: pure rules about sites, sessions, doses, tokens and stock (no I/O)."""
