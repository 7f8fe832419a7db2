"""The store layer of injection."""
