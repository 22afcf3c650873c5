"""Shared fixtures: a migrated empty station is made once per session and copied per test."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# never the real user keyring: a file keyring in a temp folder, also for CLI subprocesses
os.environ["STATION_TEST_KEYRING"] = os.path.join(tempfile.mkdtemp(prefix="station-keyring-"), "keyring.json")
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.FileKeyring"
import keyring  # noqa: E402

from tests.keyring_backend import FileKeyring  # noqa: E402

keyring.set_keyring(FileKeyring())

from station import Station  # noqa: E402

VALID_ID = "11010519491231002X"  # GB 11643 sample number: valid check digit, known region
VALID_ID_2 = "340621198001010016"
ORG_CODE = "91110000600037341L"


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    st = Station.open(folder)
    st.close()
    return folder


@pytest.fixture
def station(_template: Path, tmp_path: Path) -> Iterator[Station]:
    """A migrated, empty station database in a temp folder (no station identity yet)."""
    folder = tmp_path / "data"
    shutil.copytree(_template, folder)
    for f in folder.glob("station.db-*"):
        f.unlink()
    st = Station.open(folder)
    yield st
    st.close()


@pytest.fixture
def ready(station: Station) -> Station:
    """A station with identity, one village, a mediator/adviser and a counter clerk."""
    station.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "county": "濉溪县", "abbr": "临"})
    station.ids = {  # type: ignore[attr-defined]
        "village": station.reference.save_village({"name": "南坪村", "target_hours": 50}).uid,
        "mediator": station.reference.save_staff({"name": "孙德胜", "roles": ["mediator", "adviser"]}).uid,
        "clerk": station.reference.save_staff({"name": "马建国", "roles": ["counter"]}).uid,
    }
    return station
