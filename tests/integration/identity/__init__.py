"""Integration tests of identity against the real Redis and FerretDB."""
