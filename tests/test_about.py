"""The About text names the version, every bundled font with its licence, and the libraries."""
from __future__ import annotations

from importlib import metadata

from station import __version__
from station.about import about_text
from station.fonts import FACES, resources_dir


def test_about_names_version_fonts_and_library_versions() -> None:
    text = about_text()
    assert f"Station {__version__}" in text
    for face in FACES:
        assert face.family in text
        assert (resources_dir() / "fonts" / face.licence).is_file()
    assert "Arphic Public License" in text and "SIL OFL" in text
    assert f"openpyxl {metadata.version('openpyxl')}：MIT" in text
    assert f"PySide6-Essentials {metadata.version('PySide6-Essentials')}：LGPL-3.0" in text


def test_icon_files_exist() -> None:
    from station.about import icon_path

    for kind in ("png", "svg", "ico"):
        assert icon_path(kind).is_file() and icon_path(kind).stat().st_size > 500
