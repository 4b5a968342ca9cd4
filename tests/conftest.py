"""Shared fixtures: databases.

``db_url`` is parametrised over SQLite (a temporary file) and PostgreSQL
(``postgresql+psycopg://postgres@127.0.0.1:5432/test``, overridable with
``TIMPORA_TEST_PG``). PostgreSQL tests are never skipped: an unreachable server makes them
fail. Each test session works in a fresh schema (``t_<random>``, selected through
``search_path``) that is dropped afterwards. ``engine`` gives a migrated database emptied of
reports before each test.
"""
from __future__ import annotations

import os
import secrets

import pytest

PG_URL = os.environ.get("TIMPORA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def _pg_schema_url():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_URL)
    schema = "t_" + secrets.token_hex(6)
    with admin.begin() as conn:
        ext_schema = conn.scalar(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                      "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"))
        if ext_schema is None:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            ext_schema = "public"
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},{ext_schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        from pipeline import db

        for key in [k for k in db._ready if schema in k]:
            db._ready.pop(key).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'timpora.sqlite'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request):
    """A migrated database URL, once per dialect per test session."""
    from pipeline.db import upgrade

    url = request.getfixturevalue("_sqlite_url" if request.param == "sqlite" else "_pg_schema_url")
    upgrade(url)
    return url


@pytest.fixture()
def engine(db_url):
    """The session's database engine, with every report (and its rows) deleted first."""
    from sqlalchemy import delete

    from models.orm import Report
    from pipeline.db import open_engine

    eng = open_engine(db_url)
    with eng.begin() as conn:
        conn.execute(delete(Report))
    return eng


@pytest.fixture(scope="session")
def make_source():
    """``make_source(text, name)``: a real ``SourceDocument`` read from the bytes of ``text``."""
    from pipeline.read import read_bytes

    def make(text: str, name: str = "laporan.txt"):
        return read_bytes(text.encode("utf-8"), name)

    return make


def pytest_configure(config):
    # Prefect's temporary server logs "Stopping temporary server" from an atexit hook, after
    # pytest has closed the captured streams; don't print a logging traceback for that.
    import logging

    logging.raiseExceptions = False
