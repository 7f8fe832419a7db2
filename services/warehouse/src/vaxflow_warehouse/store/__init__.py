"""The warehouse's storage: Parquet parts and range records on disk, DuckDB over them."""
