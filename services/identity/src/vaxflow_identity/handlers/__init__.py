"""Identity's use cases, one function each: codes, logins, token refresh, staff, keys."""
