"""The injection service: screenings, dose records, post-vaccination observations and
corrections.
"""

__version__ = "0.1.0"
