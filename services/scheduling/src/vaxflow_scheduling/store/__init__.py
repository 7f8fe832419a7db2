"""The store layer of scheduling."""
