"""Findings, priorities, measures and their evaluation, under /o/<org>/strategy/."""
