"""Prefect settings timpora needs, applied before ``prefect`` is first imported.

Every value is a default (``os.environ.setdefault``): a user's own settings win. With
no ``PREFECT_API_URL`` Prefect runs offline in its ephemeral mode (a temporary local
server started on demand); set ``PREFECT_API_URL`` to use a real Prefect server.
"""
from __future__ import annotations

import os


def prefect_home() -> str:
    """A per-user directory for Prefect's state (never the repository)."""
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("timpora"), "prefect")


def configure(*, quiet: bool = False) -> None:
    """Set offline-friendly Prefect defaults; ``quiet`` keeps Prefect's own logging to warnings."""
    env = os.environ
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    # The temporary server needs 3-7 s to start, more under load (Prefect's default is 20 s).
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not env.get("PREFECT_HOME"):
        env["PREFECT_HOME"] = prefect_home()
    try:  # Prefect creates only the last path component itself
        os.makedirs(os.path.expanduser(env["PREFECT_HOME"]), exist_ok=True)
    except OSError:
        pass
    if quiet:
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        env.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")
        env.setdefault("PREFECT_UI_ENABLED", "false")
