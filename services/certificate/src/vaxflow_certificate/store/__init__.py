"""The store layer of certificate."""
