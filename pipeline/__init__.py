"""timpora's plain functions: read, normalise, extract, store, search; and the CLI."""
