"""The CJK fonts the station ships in ``resources/fonts`` (never the machine's own fonts).

Shared by printing (ReportLab: TrueType outlines only, embedded as subsets) and
by the GUI (registered with Qt at start). Rare name characters (䶮, 𠀀…) that
the main faces lack fall back, glyph by glyph, to the Hanazono faces.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple


def resources_dir() -> Path:
    """``resources/`` beside the packages, or inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


class FontFace(NamedTuple):  # not a dataclass: this module loads before the GUI's first paint
    role: str
    file: str
    subfont: int  # face index inside a .ttc collection
    family: str  # family name as Qt / fontconfig report it
    licence: str


FACES: tuple[FontFace, ...] = (
    FontFace("song", "uming.ttc", 0, "AR PL UMing CN", "licenses/arphic-uming-ukai.txt"),
    FontFace("kai", "ukai.ttc", 0, "AR PL UKai CN", "licenses/arphic-uming-ukai.txt"),
    FontFace("ui", "wqy-microhei.ttc", 0, "WenQuanYi Micro Hei", "licenses/wqy-microhei.txt"),
    FontFace("fallback", "HanaMinA.ttf", 0, "HanaMinA", "licenses/hanazono.txt"),
    FontFace("fallback2", "HanaMinB.ttf", 0, "HanaMinB", "licenses/hanazono.txt"),
)

BY_ROLE = {f.role: f for f in FACES}


def font_path(face: FontFace) -> Path:
    return resources_dir() / "fonts" / face.file
