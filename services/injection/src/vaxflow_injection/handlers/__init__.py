"""The handlers layer of injection."""
