"""Errors in a user's file (catalog, SUT profile): each names the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path


class FileKeyError(Exception):
    """A file that cannot be used, with the key at fault and what was expected there."""

    def __init__(self, path: Path, key: str, problem: str) -> None:
        super().__init__(f"{path}: {key}: {problem}")
        self.path = path
        self.key = key
        self.problem = problem
