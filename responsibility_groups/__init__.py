"""Responsibility groups and their meetings (issue 4)."""
