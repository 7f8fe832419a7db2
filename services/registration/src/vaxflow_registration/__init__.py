"""The registration service: citizens, organisation bulk imports and the citizen's health book."""

__version__ = "0.1.0"
