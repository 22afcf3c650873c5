"""Migrations: linear, in step with the models, and never losing data."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from station import SchemaError, Station
from station.db.engine import make_engine
from station.db.migrate import SCHEMA_HEAD, alembic_config, migrate
from station.models import Base


def test_chain_is_linear_and_head_matches_the_code() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [SCHEMA_HEAD]
    assert all(len(r._all_down_revisions) <= 1 for r in script.walk_revisions())


def test_models_and_migrations_do_not_drift(station: Station) -> None:
    with station.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "include_object": lambda o, n, t, r, c: not (t == "table" and n and n.startswith("search_"))})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_upgrade_from_first_schema_keeps_data_and_backs_up(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    db = folder / "station.db"
    migrate(make_engine(db), None, None, target="0001")
    with sqlite3.connect(db) as conn:  # data written by a program that only knew the first schema
        conn.execute("INSERT INTO stations (uid, version, created_at, updated_at, device_id, deleted, code, name,"
                     " county, abbr) VALUES ('s1', 1, '2026-01-01', '2026-01-01', 'd', 0, '340621101', '临涣镇司法所',"
                     " '濉溪县', '临')")
        conn.execute("INSERT INTO persons (uid, version, created_at, updated_at, device_id, deleted, kind, name,"
                     " gender, ethnicity, id_type, id_number, phone, address, occupation, special_groups,"
                     " credit_code, representative, initials, id_rev, phone_rev, notes) VALUES ('p1', 3,"
                     " '2026-01-01', '2026-01-02', 'd', 0, 'person', '王䶮', '男', '汉族', 'none', '', '', '南坪村', '',"
                     " '[]', '', '', 'wy', '', '', '')")
    st = Station.open(folder)
    try:
        assert st.people.get_person("p1")["name"] == "王䶮"
        assert st.people.get_person("p1")["version"] == 3
        assert st.reference.station_info()["code"] == "340621101"
        with st.read() as s:
            assert s.execute(__import__("sqlalchemy").text("SELECT count(*) FROM drafts")).scalar() == 0
    finally:
        st.close()
    backups = list((folder / "backups").glob("station-before-migration-0001-*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert conn.execute("SELECT name FROM persons").fetchall() == [("王䶮",)]


def test_a_newer_database_is_refused_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    Station.open(folder).close()
    with sqlite3.connect(folder / "station.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaError, match="比本程序新"):
        Station.open(folder)


def test_upgrade_to_0010_moves_outbox_payloads_apart(tmp_path: Path) -> None:
    folder = tmp_path / "o"
    folder.mkdir()
    db = folder / "station.db"
    migrate(make_engine(db), None, None, target="0009")
    with sqlite3.connect(db) as conn:  # one change sent, one waiting, written by a program before 0010
        conn.executemany("INSERT INTO outbox (seq, kind, uid, version, base_version, payload, content_hash,"
                         " created_at, sent_at, batch_id) VALUES (?, 'person', ?, 1, 0, ?, ?, '2026-01-01', ?, ?)",
                         [(1, "u1", '{"name":"王䶮"}', "h1", "2026-01-02", "b1"), (2, "u2", '{"name":"李四"}', "h2",
                                                                                    None, None)])
    Station.open(folder).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
        assert conn.execute("SELECT o.seq, uid, payload, content_hash, sent_at FROM outbox o JOIN outbox_payloads p"
                            " ON p.seq = o.seq ORDER BY o.seq").fetchall() == [
            (1, "u1", '{"name":"王䶮"}', "h1", "2026-01-02"), (2, "u2", '{"name":"李四"}', "h2", None)]
        assert "payload" not in {r[1] for r in conn.execute("PRAGMA table_info(outbox)")}
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(outbox)")}
        assert {"ix_outbox_unsent", "ix_outbox_rejected"} <= indexes
