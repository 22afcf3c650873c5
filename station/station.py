"""The :class:`Station` facade: one open database and the services bound to it.

The GUI, the CLI and the tests hold one ``Station``. Every public service call
runs in its own transaction (one user action = one transaction): write calls
take the write lock up front (``BEGIN IMMEDIATE``), read calls don't. Results
are plain dicts, never ORM objects, so they can cross threads safely.
"""
from __future__ import annotations

import types
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from . import paths, settings
from .db import tracking
from .db.engine import make_engine
from .db.migrate import migrate
from .reports import service as reports_service
from .services import (consultations, dashboard, drafts, mediation, people, privacy, records, reference, search,
                       visits)


class _Bound:
    """A service module whose ``@writes``/``@reads`` functions run in their own transaction."""

    def __init__(self, station: "Station", module: types.ModuleType) -> None:
        self._station, self._module = station, module

    def __getattr__(self, name: str) -> Callable[..., Any]:
        fn = getattr(self._module, name)
        mode = getattr(fn, "_station_writes", None)
        if mode is None:
            raise AttributeError(f"{self._module.__name__}.{name} is not a service function")
        station = self._station

        def call(*args: Any, **kwargs: Any) -> Any:
            with (station.write() if mode else station.read()) as session:
                return fn(session, *args, **kwargs)

        call.__name__ = name
        call.__doc__ = fn.__doc__
        return call


class Station:
    """An open station database.

    :param data_dir: folder holding ``station.db`` and ``backups/``.
    """

    def __init__(self, data_dir: Path, engine: Engine, db_path: Path) -> None:
        self.data_dir, self.engine, self.db_path = data_dir, engine, db_path
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writer = sessionmaker(engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)
        tracking.install(self._writer)
        self.actor_uid: str | None = None
        self.device_id = ""
        self.people = _Bound(self, people)
        self.consultations = _Bound(self, consultations)
        self.mediation = _Bound(self, mediation)
        self.visits = _Bound(self, visits)
        self.reference = _Bound(self, reference)
        self.records = _Bound(self, records)
        self.search_ = _Bound(self, search)
        self.drafts = _Bound(self, drafts)
        self.privacy = _Bound(self, privacy)
        self.dashboard = _Bound(self, dashboard)
        self.reports = _Bound(self, reports_service)

    @classmethod
    def open(cls, data_dir: str | Path | None = None) -> "Station":
        """Open (creating if needed) the station database in ``data_dir`` and migrate it."""
        folder = paths.data_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / paths.DB_NAME
        engine = make_engine(db_path)
        migrate(engine, db_path, folder / "backups")
        st = cls(folder, engine, db_path)
        st._ensure_device()
        return st

    def _ensure_device(self) -> None:
        with self.read() as s:
            device = settings.get(s, "device_id")
        if not device:
            with self.write() as s:
                device = settings.get(s, "device_id") or str(uuid.uuid4())
                settings.put(s, "device_id", device)
        self.device_id = str(device)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on any exception."""
        with self._writer() as session, session.begin():
            session.info["device_id"] = self.device_id
            session.info["actor_uid"] = self.actor_uid
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def search(self, text: str, **kwargs: Any) -> list[search.Hit]:
        return self.search_.search(text, **kwargs)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Station":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
