"""The ``timpora`` command line: a thin wrapper over the ``pipeline`` library.

Every command's help ends with a runnable example. Errors a user can act on are printed
as one line on stderr with a non-zero exit status, never as a traceback.
"""
from __future__ import annotations

import os
import sys

import typer

from pipeline.errors import TimporaError

app = typer.Typer(
    name="timpora",
    help="Turn TIMPORA activity reports (.txt, .docx, .pdf, .zip) into searchable, reviewable records.\n\n"
         "Example:  timpora ingest samples/ && timpora search --agency POLRES",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from pipeline.commands import read, extract, ingest
    from pipeline.commands import db as db_commands, search as search_commands, serve

    for module in (read, extract, ingest, db_commands, search_commands, serve):
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    try:
        app(args=argv, prog_name="timpora")
    except TimporaError as exc:
        print(f"timpora: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("timpora: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
