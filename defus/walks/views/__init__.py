"""Walks, workshops and the unsafe-places map in the back office, under /o/<org>/walks/.
Each module lists its own URLs."""
