"""Identity's rules, free of I/O: phones, one-time codes, limits, staff, tokens, signing keys."""
