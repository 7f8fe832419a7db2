"""The domain layer of injection."""
