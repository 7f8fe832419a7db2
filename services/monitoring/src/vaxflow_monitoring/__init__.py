"""The monitoring service: adverse events (AEFI), lot signals and suspensions, and the response
centre's live picture.
"""
