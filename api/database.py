"""The connection to the service's database: SQLite by default, PostgreSQL through a URL.

Every write is one transaction (``Database.write``): it commits whole or not at
all. On SQLite a write transaction starts with ``BEGIN IMMEDIATE``, so writers
queue for the database lock up front instead of failing half-way; on
PostgreSQL, allocations lock their publication rows with ``SELECT ... FOR
UPDATE`` (in the order of their institution), and a named lock
(``Database.lock``, an advisory lock) serialises what must run one at a time.
``Database.transact`` runs a write again when the database answers that it
could not be done now (a deadlock, a serialization failure, a locked SQLite
file), and raises ``DatabaseBusy`` once the retries are used up. The schema is
created and upgraded by the Alembic migrations shipped in ``api/migrations``.
"""

from __future__ import annotations

import fcntl
import os
import random
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 30_000
# PostgreSQL's serialization_failure, deadlock_detected and lock_not_available: the
# transaction was rolled back whole and may simply be run again.
RETRIABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
RETRY_FIRST_PAUSE = 0.02
RETRY_AFTER_SECONDS = 1
# The threads a service process answers synchronous routes with (AnyIO's default): the pool
# keeps a connection for each, so that no request opens (and sets up) a connection of its own.
REQUEST_THREADS = 40

Result = TypeVar("Result")


# Where a write session keeps the steps to take once its transaction committed or failed.
_ON_COMMIT = "gezinsrooster.on_commit"
_ON_ROLLBACK = "gezinsrooster.on_rollback"


def on_commit(session: Session) -> list[Callable[[], None]]:
    """Give the steps ``Database.write`` takes once the session's transaction committed
    (append to it; a step removed before the commit is not taken)."""
    steps: list[Callable[[], None]] = session.info.setdefault(_ON_COMMIT, [])
    return steps


def on_rollback(session: Session) -> list[Callable[[], None]]:
    """Give the steps ``Database.write`` takes once the session's transaction failed."""
    steps: list[Callable[[], None]] = session.info.setdefault(_ON_ROLLBACK, [])
    return steps


class DatabaseBusy(Exception):
    """A write that kept meeting deadlocks or a locked database; the client may try again."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"the database is busy ({type(error).__name__}); try again shortly")
        self.retry_after = RETRY_AFTER_SECONDS


def is_retriable(error: BaseException) -> bool:
    """Tell whether a database error only says "run the transaction again" (deadlock, busy)."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in RETRIABLE_SQLSTATES:
        return True
    if isinstance(original, sqlite3.OperationalError):
        message = str(original).lower()
        return "database is locked" in message or "database is busy" in message
    return False


def lock_key(name: str) -> int:
    """Give the PostgreSQL advisory lock key of a named lock (the same in every process)."""
    return zlib.crc32(f"gezinsrooster:{name}".encode())


def normalise_url(url: str) -> str:
    """Give the URL with the psycopg 3 driver for a plain ``postgresql://`` URL."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def describe_url(url: str) -> str:
    """Give the URL with any password hidden, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that BEGIN is
    # ours to send (deferred for reads, IMMEDIATE for writes).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("one_statement", False):
        # A lone statement is a transaction of its own in SQLite: no BEGIN, and no ROLLBACK.
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("immediate", False) else "BEGIN")


class _SqliteWriter:
    """One writer at a time on a SQLite file: the threads of this process, then every process.

    Threads queue on a lock of their own; the holder then takes an exclusive
    ``flock`` on a file beside the database, so that the service processes
    queue in the kernel (woken at once) instead of in SQLite's busy handler.
    The lock is re-entrant within a thread, as a nested write needs.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._descriptor: int | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1 and self._path is not None:
            if self._descriptor is None:
                self._descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        """Let go of the lock file (a later write opens it again)."""
        with self._threads:
            if self._descriptor is not None:
                os.close(self._descriptor)
                self._descriptor = None


class Database:
    """One database: an engine, read and write transactions, and its migrations."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # A SQLite file needs no ping before each checkout (a statement per transaction).
        kwargs: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        writer_file: Path | None = None
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                writer_file = Path(f"{parsed.database}-writer.lock")
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000}
            kwargs["pool_size"] = REQUEST_THREADS
            kwargs["max_overflow"] = REQUEST_THREADS // 2
        else:
            # Each process keeps a connection for most of its request threads; two
            # processes stay well inside PostgreSQL's 100 connections.
            kwargs["pool_size"] = REQUEST_THREADS // 2
            kwargs["max_overflow"] = REQUEST_THREADS // 4
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._lone_reads = sessionmaker(
            self.engine.execution_options(one_statement=True), expire_on_commit=False
        )
        self._writer: AbstractContextManager[Any] = (
            _SqliteWriter(writer_file) if self.is_sqlite else nullcontext()
        )
        self._writes = sessionmaker(
            self.engine.execution_options(immediate=True), expire_on_commit=False
        )

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (``alembic upgrade head``)."""
        config = alembic_config()
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Give a session for reading; closing it ends its transaction and keeps nothing."""
        with self._reads() as session:
            yield session

    @contextmanager
    def read_one(self) -> Iterator[Session]:
        """Give a session whose statements each read the newest commit (on SQLite each is a
        transaction of its own: no BEGIN, no ROLLBACK); for reads that need no snapshot."""
        with self._lone_reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Give a session whose changes commit together at the end, or not at all on an error.

        The steps queued with ``on_commit`` run once the commit succeeded, those queued
        with ``on_rollback`` once the transaction failed (both before the writer lock is let go).
        """
        # SQLite has one writer: writers queue here (threads, then processes) rather than in
        # SQLite's busy handler, whose sleeps grow to 100 ms while the file is free again at once.
        with self._writer, self._writes() as session:
            try:
                with session.begin():
                    yield session
            except BaseException:
                for step in session.info.pop(_ON_ROLLBACK, []):
                    step()
                raise
            for step in session.info.pop(_ON_COMMIT, []):
                step()

    def transact(self, work: Callable[[Session], Result], retries: int = 4) -> Result:
        """Give what ``work`` gives inside one write transaction, run again on a retriable error.

        A deadlock, a serialization failure or a locked SQLite file rolls the
        whole transaction back, so running it again is safe; after ``retries``
        more attempts (with growing, jittered pauses) ``DatabaseBusy`` is raised.
        """
        attempt = 0
        while True:
            try:
                with self.write() as session:
                    return work(session)
            except DBAPIError as error:
                if not is_retriable(error):
                    raise
                if attempt >= retries:
                    raise DatabaseBusy(error) from error
            time.sleep(random.uniform(0.5, 1.5) * RETRY_FIRST_PAUSE * 2**attempt)
            attempt += 1

    def lock(self, session: Session, name: str) -> None:
        """Hold the named lock until the session's transaction ends (one holder at a time).

        On PostgreSQL this is a transaction-scoped advisory lock; on SQLite a
        write transaction (``BEGIN IMMEDIATE``) already holds the whole file.
        """
        if not self.is_sqlite:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})

    def dispose(self) -> None:
        """Close every pooled connection (and the SQLite writers' lock file)."""
        self.engine.dispose()
        if isinstance(self._writer, _SqliteWriter):
            self._writer.close()


class DriverStatement:
    """A Core statement on the tables of ``api.tables``, compiled once per dialect and run on
    the driver's own cursor, without SQLAlchemy's statement layer (for the few statements of
    the allocation's hot path: their parameters and columns need no type conversion).

    In a session of ``Database.read_one`` that has no connection of its own yet, the
    statement runs on a pooled connection outside any transaction, so it reads the newest
    commit, as the session's own statements do; in any other session it runs on the
    session's connection, inside its transaction.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def _sql(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = cast(SQLCompiler, self._statement.compile(dialect=dialect))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self._compiled[dialect.name] = (compiled.string, order)
        return found

    def first(self, session: Session, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """Give the statement's first row (or None), read as the docstring of the class says."""
        bind = session.get_bind()
        dialect = bind.dialect
        sql, order = self._sql(dialect)
        values: Any = tuple(params[name] for name in order) if order is not None else params
        lone = bind.get_execution_options().get("one_statement", False)
        if not lone or session.in_transaction():
            return _first_row(
                session.connection().connection.dbapi_connection, sql, values, dialect
            )
        assert isinstance(bind, Engine)
        pooled = bind.raw_connection()
        driver: Any = pooled.dbapi_connection
        try:
            if dialect.name == "postgresql":
                # One statement outside a transaction: no BEGIN, and nothing to roll back.
                driver.autocommit = True
            try:
                return _first_row(driver, sql, values, dialect)
            finally:
                if dialect.name == "postgresql" and not driver.closed:
                    driver.autocommit = False
        except DBAPIError as error:
            if error.connection_invalidated:
                pooled.invalidate()
            raise
        finally:
            pooled.close()


def _first_row(driver: Any, sql: str, values: Any, dialect: Dialect) -> tuple[Any, ...] | None:
    """Give the first row of one statement on a driver connection; a driver error is raised as
    SQLAlchemy's ``DBAPIError`` (so the service's answers to a busy database still apply)."""
    base = dialect.loaded_dbapi.Error
    cursor = driver.cursor()
    try:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    except base as error:
        gone = dialect.is_disconnect(error, driver, cursor)
        raise DBAPIError.instance(
            sql, values, error, base, connection_invalidated=gone, dialect=dialect
        ) from error
    finally:
        cursor.close()
    return None if row is None else tuple(row)


def alembic_config(url: str | None = None) -> Config:
    """Give the Alembic configuration of the shipped migrations (for ``url`` if given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config
