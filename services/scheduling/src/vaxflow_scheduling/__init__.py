"""The scheduling service: sites, sessions, campaigns, appointments, invitations, check-ins and
the vaccine stock ledger.
"""

__version__ = "0.1.0"
