"""The certificate service: EU DCC-format vaccination certificates, their signing keys, trust
list and revocations.
"""

__version__ = "0.1.0"
