"""The warehouse's long-running loops: the sink, and the one-off rebuild."""
