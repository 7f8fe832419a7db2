"""Registration's use cases: one function per command or consumed event."""
