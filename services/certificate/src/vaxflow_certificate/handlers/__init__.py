"""The handlers layer of certificate."""
