"""Answers: paper entry, double-entry comparison, export and import."""
