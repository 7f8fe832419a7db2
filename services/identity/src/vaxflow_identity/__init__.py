"""The identity service: staff accounts, citizen one-time-code login, and the signing keys of
access tokens.
"""

__version__ = "0.1.0"
