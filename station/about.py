"""The About text: version, and the licences of the fonts and libraries the app ships with.

A core function so the GUI's About box, ``station about`` and the bundle's notes all show
the same words; library versions are read from the installed distributions (or the
bundle's copies of their metadata), never typed in by hand.
"""
from __future__ import annotations

from pathlib import Path

from . import __version__
from .fonts import FACES

FONT_LICENCES = {
    "licenses/arphic-uming-ukai.txt": "Arphic Public License",
    "licenses/wqy-microhei.txt": "Apache-2.0 或 GPL-3.0+（含字体例外）",
    "licenses/hanazono.txt": "Hanazono Font License 或 SIL OFL 1.1",
}

#: distribution name → licence, for every third-party library the bundle carries
LIBRARIES: dict[str, str] = {
    "PySide6-Essentials": "LGPL-3.0（Qt for Python；Qt 库以动态库形式随附，可替换）",
    "SQLAlchemy": "MIT", "alembic": "MIT", "reportlab": "BSD", "pypdf": "BSD-3-Clause",
    "openpyxl": "MIT", "pypinyin": "MIT", "python-stdnum": "LGPL-2.1+", "phonenumbers": "Apache-2.0",
    "keyring": "MIT", "httpx": "BSD-3-Clause", "cryptography": "Apache-2.0 或 BSD-3-Clause",
}


def _version(dist: str) -> str | None:
    from importlib import metadata  # here, not at the top: icon_path() is needed before the first paint
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def about_text() -> str:
    """Plain text (Chinese) for the About box."""
    lines = [f"司法所 Station {__version__}", "来访咨询 · 人民调解 · 村(居)法律顾问", "", "随附字体："]
    seen: set[str] = set()
    for face in FACES:
        if face.family in seen:
            continue
        seen.add(face.family)
        lines.append(f"  {face.family}（{face.file}）：{FONT_LICENCES.get(face.licence, face.licence)}，"
                     f"许可证全文见 resources/fonts/{face.licence}")
    lines += ["", "使用的开源软件："]
    for dist, licence in LIBRARIES.items():
        version = _version(dist)
        if version is not None:
            lines.append(f"  {dist} {version}：{licence}")
    lines.append("  Python（PSF License）")
    return "\n".join(lines)


def icon_path(kind: str = "png") -> Path:
    """The app icon (``png`` for Qt's window icon, ``svg``, or ``ico`` for the Windows exe)."""
    from .fonts import resources_dir
    return resources_dir() / "icons" / f"station.{kind}"
