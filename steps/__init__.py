"""Thin, generic pytest-bdd step definitions shared by every use case."""
