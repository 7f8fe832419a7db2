"""The warehouse service: the pseudonymised analytics copy of every event stream."""
