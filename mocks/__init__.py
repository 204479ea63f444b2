"""Faulty implementations of actors, to prove the harness catches each fault (and names it)."""
