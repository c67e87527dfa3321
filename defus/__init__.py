"""The DEFUS platform."""
