"""The injection service: screenings, dose records, post-vaccination observations and
corrections.
"""
