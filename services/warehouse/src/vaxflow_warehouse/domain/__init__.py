"""The warehouse's pure rules: columns, pseudonymisation, rows, file names, batching, ranges."""
