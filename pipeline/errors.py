"""Errors a user can act on. The CLI prints them as one line and exits non-zero."""
from __future__ import annotations


class TimporaError(Exception):
    """Base for errors reported to the user as a one-line message (no traceback)."""

    exit_code = 1


class UsageError(TimporaError):
    exit_code = 2
