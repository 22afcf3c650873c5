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
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from . import paths, settings
from .db import tracking
from .db.engine import make_engine
from .db.migrate import migrate
from .reports import service as reports_service
from .errors import DatabaseKeyError, LoginFailed
from .security import accounts, audit, permissions
from .services import (consultations, dashboard, drafts, mediation, people, printlog, privacy, records, reference,
                       search, visits)


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
        module = self._module

        def call(*args: Any, **kwargs: Any) -> Any:
            with (station.write() if mode else station.read()) as session:
                held = station._held(session)
                permissions.require(held, permissions.needed(fn, module, args, kwargs))
                session.info["perms"] = held
                session.info["account_uid"] = station.account["uid"] if station.account else None
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
        #: staff uid of the signed-in account (created_by/updated_by); None = nobody / system
        self.actor_uid: str | None = None
        #: the signed-in account (no password hash), or None
        self.account: dict[str, Any] | None = None
        #: the SQLCipher key of an encrypted database (None: plain); kept for backups
        self.key: bytes | None = None
        #: the recovery code, only on the open that set up encryption (show once, never stored)
        self.recovery_code: str | None = None
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
        self.prints = _Bound(self, printlog)
        self.reports = _Bound(self, reports_service)
        self.accounts = _Bound(self, accounts)

    @classmethod
    def open(cls, data_dir: str | Path | None = None, *, encrypt: bool = False, password: str | None = None,
             recovery_code: str | None = None, key: bytes | None = None) -> "Station":
        """Open (creating if needed) the station database in ``data_dir`` and migrate it.

        An encrypted database (``station.keyinfo.json`` beside it) is opened with its key from the
        OS keyring, else ``password`` (password mode) or ``recovery_code``. ``encrypt=True`` makes a
        new database encrypted, or encrypts an existing plain one in place; the recovery code is
        then on ``st.recovery_code`` (show it once). Without ``encrypt`` a new database is plain:
        the explicit choice for tests and benchmarks; the CLI and GUI set up encryption.

        :raises DatabaseKeyError: the key is missing or wrong, or the file is damaged (clear message).
        """
        from .security import crypto

        folder = paths.data_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / paths.DB_NAME
        recovery: str | None = None
        info = crypto.read_info(folder)
        if info is not None and key is None:
            key = crypto.load_key(folder, info, password=password, recovery_code=recovery_code)
        elif info is None and encrypt:
            if db_path.exists() and db_path.stat().st_size > 0:
                from .security.encrypt import encrypt_in_place
                recovery = encrypt_in_place(db_path, password=password)
                info = crypto.read_info(folder)
                assert info is not None
                key = crypto.load_key(folder, info, password=password, recovery_code=recovery)
            else:
                key, recovery = crypto.setup(folder, password=password)
        engine = make_engine(db_path, key=key)
        try:
            migrate(engine, db_path, folder / "backups", key=key)
        except DatabaseError as e:
            engine.dispose()
            if "not a database" in str(e) or "encrypted" in str(e):
                raise DatabaseKeyError("数据库文件无法读取：它已加密而缺少密钥信息，或文件已损坏（可用备份恢复）") from None
            raise
        st = cls(folder, engine, db_path)
        st.key, st.recovery_code = key, recovery
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

    # -- accounts -----------------------------------------------------------------------------------------------

    def _held(self, session: Session) -> frozenset[str] | None:
        """Permissions of the caller: the signed-in account's, none (nobody signed in while accounts
        exist), or ``None`` = the implicit system actor, while no account exists yet (first run, tests)."""
        if self.account is not None:
            return permissions.granted(self.account["roles"])
        return frozenset() if accounts.any_accounts(session) else None

    def has_accounts(self) -> bool:
        """Whether sign-in is needed: callable by anyone, before signing in (the GUI asks first)."""
        with self.read() as session:
            return accounts.any_accounts(session)

    def require(self, perm: str) -> None:
        """Check a permission for work done on raw sessions (CLI export/import, backup)."""
        with self.read() as session:
            permissions.require(self._held(session), perm)

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """Sign in; later calls act as this account. The failure is recorded before it is raised.

        :raises LoginFailed: wrong name or password, disabled account, or too many failures (wait).
        """
        with self.write() as session:
            account, reason = accounts.authenticate(session, username, password)
            if account is not None:
                session.info["actor_uid"] = account["staff_uid"]
                audit.audit(session, "login", kind="account", uid=account["uid"])
        if account is None:
            raise LoginFailed(reason)
        self.account, self.actor_uid = account, account["staff_uid"]
        return account

    def verify_password(self, password: str) -> bool:
        """Unlock check for the idle lock: the signed-in account's password (failures count as usual)."""
        if self.account is None:
            return False
        try:
            self.sign_in(self.account["username"], password)
        except LoginFailed:
            return False
        return True

    def sign_out(self) -> None:
        if self.account is not None:
            with self.write() as session:
                audit.audit(session, "logout", kind="account", uid=self.account["uid"])
        self.account, self.actor_uid = None, None

    def audit(self, action: str, **fields: Any) -> None:
        """Append one audit entry in its own transaction (print, export, reveal, sync…)."""
        with self.write() as session:
            audit.audit(session, action, **fields)

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
