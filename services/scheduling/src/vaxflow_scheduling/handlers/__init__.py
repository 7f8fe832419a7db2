"""The handlers layer of scheduling."""
