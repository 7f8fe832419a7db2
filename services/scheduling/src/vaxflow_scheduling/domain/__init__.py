"""The domain layer of scheduling."""
