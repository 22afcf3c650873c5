"""The command line, run as a real process: exit codes, messages, round trips."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "station.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    assert run("--data-dir", str(folder), "init", "--code", "340621101", "--name", "临涣镇司法所",
               "--county", "濉溪县", "--abbr", "临").returncode == 0
    r = run("--data-dir", str(folder), "demo", "--records", "600", "--quiet")
    assert r.returncode == 0, r.stderr
    counts = json.loads(r.stdout)
    assert counts["person"] >= 240 and counts["case"] == 60
    return folder


def test_data_dir_from_environment(tmp_path: Path) -> None:
    target = tmp_path / "from-env"
    r = run("init", "--code", "1", "--name", "测试所", env={"STATION_DATA_DIR": str(target)})
    assert r.returncode == 0 and (target / "station.db").is_file()
    assert str(target) in r.stdout


def test_init_without_identity_is_a_usage_error(tmp_path: Path) -> None:
    r = run("--data-dir", str(tmp_path / "x"), "init")
    assert r.returncode == 2 and "--code" in r.stderr


def test_list_show_search_mask_personal_data(demo_dir: Path) -> None:
    r = run("--data-dir", str(demo_dir), "list", "person", "--limit", "5", "--json")
    assert r.returncode == 0
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == 5 and all("********" in p["id_number"] for p in rows if p["kind"] == "person")
    uid = rows[0]["uid"]
    shown = run("--data-dir", str(demo_dir), "show", uid)
    assert shown.returncode == 0 and json.loads(shown.stdout)["uid"] == uid
    revealed = json.loads(run("--data-dir", str(demo_dir), "show", uid, "--reveal").stdout)
    assert "*" not in revealed["id_number"]
    cases = run("--data-dir", str(demo_dir), "list", "case", "--limit", "1", "--json")
    number = json.loads(cases.stdout)["number"]
    case = json.loads(run("--data-dir", str(demo_dir), "show", number).stdout)
    assert case["number"] == number and len(case["parties"]) == 2
    found = run("--data-dir", str(demo_dir), "search", "宅基地")
    assert found.returncode == 0 and found.stdout.strip()


def test_unknown_record_and_bad_kind(demo_dir: Path) -> None:
    assert run("--data-dir", str(demo_dir), "show", "nope-nope").returncode == 2
    assert run("--data-dir", str(demo_dir), "list", "nothing").returncode == 2
    assert run("--data-dir", str(demo_dir), "export", "--kind", "nothing").returncode == 2


def test_export_import_export_is_identical(demo_dir: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("--data-dir", str(demo_dir), "export", "-o", str(a)).returncode == 0
    r = run("--data-dir", str(tmp_path / "empty"), "import", str(a))
    assert r.returncode == 0, r.stderr
    assert run("--data-dir", str(tmp_path / "empty"), "export", "-o", str(b)).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    again = run("--data-dir", str(tmp_path / "empty"), "import", str(a))
    assert set(json.loads(again.stdout).values()) == {0}  # re-import adds nothing


def test_import_with_one_bad_line_writes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "good.jsonl"
    run("--data-dir", str(demo_dir), "export", "--kind", "person", "-o", str(src))
    lines = src.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[7])
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    lines[7] = json.dumps(bad, ensure_ascii=False)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "target"
    r = run("--data-dir", str(target), "import", str(broken))
    assert r.returncode == 2
    assert "第 8 行" in r.stderr and "id_number" in r.stderr and "校验位" in r.stderr
    count = run("--data-dir", str(target), "list", "person", "--json")
    assert count.stdout == ""  # nothing written


def test_import_reports_bad_json_and_bad_dates(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text('{"_kind": "person", "uid": "00000000-0000-4000-8000-000000000001", "version": 1,'
                 ' "name": "甲", "birth_date": "1990-02-30"}\nnot json\n', encoding="utf-8")
    r = run("--data-dir", str(tmp_path / "t"), "import", str(f))
    assert r.returncode == 2 and "第 1 行" in r.stderr and "birth_date" in r.stderr
