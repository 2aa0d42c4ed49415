"""Reports: read the store only, write tables."""
