"""The monitoring service: adverse events (AEFI), lot signals and suspensions, and the response
centre's live picture.
"""

__version__ = "0.1.0"
