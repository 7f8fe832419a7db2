"""The domain layer of certificate."""
