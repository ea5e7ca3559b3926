"""Errors that the CLI turns into one clear line and exit code 2."""

from __future__ import annotations


class ZooError(Exception):
    """A user-facing problem: the message names what is wrong and how to fix it."""


class UnknownNameError(ZooError, KeyError):
    """A name that no plugin registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataError(ZooError, ValueError):
    """Bad or inconsistent input data; the message names the file and line."""
