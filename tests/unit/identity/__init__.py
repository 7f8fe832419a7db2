"""Unit tests of the identity service: its rules, without network."""
