"""Where the station keeps its files: ``--data-dir``, else ``STATION_DATA_DIR``, else the user data folder."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Station"
APP_AUTHOR = "Station"
DB_NAME = "station.db"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("STATION_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
