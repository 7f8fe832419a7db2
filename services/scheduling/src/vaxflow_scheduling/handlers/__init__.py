"""Scheduling's handlers: one function per command or consumed event."""
