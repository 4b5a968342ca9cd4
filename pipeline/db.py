"""Database connection: which database, engines tuned per dialect, migrations, sessions.

* ``resolve_url(cli)``: ``--db`` value, else env ``TIMPORA_DB``, else an SQLite file in
  ``platformdirs.user_data_dir("timpora")``. A bare file path is taken as an SQLite file.
* ``make_engine(url)``: SQLite in WAL mode with a busy timeout and foreign keys on, so that
  several processes can write at once; PostgreSQL via psycopg 3.
* ``upgrade(url_or_engine)``: Alembic to head (the migrations ship in ``models/migrations``)
  and the reference tables (agency gazetteer, regions) refreshed; safe to run concurrently.
* ``open_engine(cli)``: all of the above, migrating on first use (what commands call).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Union

from sqlalchemy import Engine, create_engine, delete, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from pipeline.errors import TimporaError

log = logging.getLogger(__name__)

ENV_VAR = "TIMPORA_DB"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "models" / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_PG_LOCK_KEY = 0x7173_7469  # advisory lock held while migrating


class DatabaseError(TimporaError):
    """The database cannot be opened or migrated."""


def default_sqlite_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("timpora")) / "timpora.sqlite"


def resolve_url(cli_value: Optional[str] = None) -> str:
    """The database URL: ``--db`` value, else ``$TIMPORA_DB``, else the default SQLite file."""
    value = (cli_value or "").strip() or os.environ.get(ENV_VAR, "").strip()
    if not value:
        return f"sqlite:///{default_sqlite_path()}"
    if "://" not in value:  # a plain file path
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def display_url(url: Union[str, Engine]) -> str:
    """The URL with any password hidden."""
    u = url.url if isinstance(url, Engine) else make_url(url)
    return u.render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS:d}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA cache_size = -65536")  # 64 MiB: bulk loads stay in memory until commit
        cur.execute("PRAGMA temp_store = MEMORY")
    finally:
        cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for an SQLite file its folder is created."""
    try:
        u = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and friends
        raise DatabaseError(f"not a database URL: {url!r} ({exc})") from None
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    if u.get_backend_name() == "postgresql" and u.get_driver_name() in ("psycopg2", "default", ""):
        u = u.set(drivername="postgresql+psycopg")
    engine = create_engine(u, pool_pre_ping=True)
    if u.get_backend_name() == "postgresql":
        event.listen(engine, "do_connect", _pg_connect_options)
    return engine


def _pg_connect_options(_dialect, _conn_rec, _cargs, cparams) -> None:
    """Session settings for interactive searches, added to any ``options`` the URL carries
    (e.g. a search_path): no JIT (compiling a plan takes longer than running these queries);
    random_page_cost 1.1 (the SSD / in-cache value: index lookups of a few thousand matching
    ids beat hashing whole tables)."""
    cparams["options"] = (str(cparams.get("options") or "") + " -c jit=off -c random_page_cost=1.1").strip()


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> Optional[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url_or_engine: Union[str, Engine]) -> None:
    """Migrate to head and refresh the reference tables (idempotent, concurrency-safe)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    head = head_revision()
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN EXCLUSIVE")  # the next process waits (busy timeout)
            elif conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            if MigrationContext.configure(conn).get_current_revision() != head:
                command.upgrade(_alembic_config(conn), "head")
            with Session(bind=conn) as session:
                sync_reference(session)
                session.flush()
    except TimporaError:
        raise
    except Exception as exc:
        raise DatabaseError(f"cannot migrate {display_url(engine)}: {exc.__class__.__name__}: {exc}") from exc


_ready: dict[str, Engine] = {}
_ready_lock = threading.Lock()


def open_engine(cli_value: Optional[str] = None, *, migrate: bool = True) -> Engine:
    """The engine for ``resolve_url(cli_value)``, migrated on first use (cached per process)."""
    url = resolve_url(cli_value)
    with _ready_lock:
        engine = _ready.get(url)
        if engine is None:
            engine = make_engine(url)
            if migrate:
                try:
                    at_head = current_revision(engine) == head_revision()
                except Exception as exc:
                    raise DatabaseError(f"cannot open {display_url(engine)}: {exc.__class__.__name__}: {exc}") \
                        from None
                if not at_head:
                    upgrade(engine)
            _ready[url] = engine
        return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --------------------------------------------------------------------------- reference data

def _reference_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """(agencies, regions, region aliases) from the gazetteer and region modules."""
    agencies: list[dict] = []
    regions: list[dict] = []
    aliases: list[dict] = []
    try:
        from extractors.gazetteer import agencies as _agencies
    except ModuleNotFoundError as exc:  # the gazetteer module is not installed yet
        if exc.name != "extractors.gazetteer":
            raise
        log.warning("extractors.gazetteer not available: agency reference table left as it is")
        _agencies = None
    try:
        from extractors.regions import aliases as _aliases, regions as _regions
    except ModuleNotFoundError as exc:
        if exc.name != "extractors.regions":
            raise
        log.warning("extractors.regions not available: region reference tables left as they are")
        _regions = _aliases = None
    if _agencies is not None:
        for a in _agencies():
            agencies.append({"code": a.code, "name": a.name, "level": a.level, "aliases": list(a.aliases)})
    if _regions is not None:
        for r in _regions(levels=("provinsi", "kabupaten", "kota")):
            regions.append({"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code,
                            "province_code": r.province_code})
        for alias, code in _aliases():
            aliases.append({"alias": alias, "code": code})
    return agencies, regions, aliases


def sync_reference(session: Session) -> bool:
    """Fill / refresh ``agency_ref``, ``region_ref`` and ``region_alias`` when their source changed.

    Returns True when the tables were rewritten. Idempotent: a content hash is kept in ``meta``.
    """
    from models.orm import AgencyRef, Meta, RegionAlias, RegionRef

    agencies, regions, aliases = _reference_rows()
    digest = hashlib.sha256(json.dumps([agencies, regions, aliases], sort_keys=True,
                                       ensure_ascii=False).encode()).hexdigest()
    stored = session.scalar(select(Meta.value).where(Meta.key == "reference_hash"))
    if stored == digest:
        return False
    if agencies:
        session.execute(delete(AgencyRef))
        session.execute(insert(AgencyRef), agencies)
    if regions:
        session.execute(delete(RegionRef))
        session.execute(insert(RegionRef), regions)
        session.execute(delete(RegionAlias))
        if aliases:
            session.execute(insert(RegionAlias), aliases)
    meta = session.get(Meta, "reference_hash")
    if meta is None:
        session.add(Meta(key="reference_hash", value=digest))
    else:
        meta.value = digest
    return True
