"""Allocation of a senior oversight officer: conflict rules, ranking, services and selectors."""
