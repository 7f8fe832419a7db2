"""The warehouse service: the pseudonymised analytics copy of every event stream."""

__version__ = "0.1.0"
