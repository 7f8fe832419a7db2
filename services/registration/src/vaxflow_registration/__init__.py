"""The registration service: citizens, organisation bulk imports and the citizen's health book."""
