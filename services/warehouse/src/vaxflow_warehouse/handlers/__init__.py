"""The warehouse's use cases: ingest a partition's batch, reconcile at start, run analyses."""
