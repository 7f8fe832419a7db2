"""The certificate domain: a pure EU DCC library (payload, UVCI, COSE, codec, verifier, signers)."""
