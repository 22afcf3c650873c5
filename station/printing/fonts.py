"""Register the shipped TrueType faces with ReportLab and split text into per-font runs.

Only the fonts in ``resources/fonts`` are used (never the machine's), so a PDF
looks the same on every station. ReportLab embeds TrueType fonts as subsets.
A character the main face lacks (䶮 in some faces, 𠀀 in CJK Ext B) is drawn
with the first fallback face whose cmap has it, so rare name characters print
instead of turning into blanks.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from .. import fonts as shipped

#: ReportLab font names by role
SONG, KAI, HEI = "StationSong", "StationKai", "StationHei"
FALLBACK, FALLBACK2 = "StationHanaMinA", "StationHanaMinB"
_NAMES = {"song": SONG, "kai": KAI, "ui": HEI, "fallback": FALLBACK, "fallback2": FALLBACK2}
FALLBACK_CHAIN = (FALLBACK, FALLBACK2)

_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ToUnicode CMap with characters beyond the BMP written as UTF-16 surrogate pairs.

    ReportLab writes such code points as odd-length hex (``<20000>``), which PDF
    readers reject, so text extraction and search lose 𠀀 and friends.
    """
    def utf16(cp: int) -> str:
        if cp <= 0xFFFF:
            return "%04X" % cp
        cp -= 0x10000
        return "%04X%04X" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname, "/Ordering (%s)" % fontname, "/Supplement 0", ">> def",
        "/CMapName /%s def" % fontname, "/CMapType 2 def", "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1), "endcodespacerange", "%d beginbfchar" % len(subset),
    ]
    lines += ["<%02X> <%s>" % (i, utf16(v)) for i, v in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def load(name: str) -> TTFont:
    """The registered face ``name``, loaded on first use.

    Parsing a CJK TrueType file takes a few hundred milliseconds, so a face is
    loaded only when some text needs it (HanaMinB, the largest, is rarely needed).
    """
    font = _registered.get(name)
    if font is not None:
        return font
    with _lock:
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see _to_unicode_cmap
        font = _registered.get(name)
        if font is None:
            role = next(r for r, n in _NAMES.items() if n == name)
            face = shipped.BY_ROLE[role]
            path = str(shipped.font_path(face))
            font = TTFont(name, path, subfontIndex=face.subfont) if path.endswith(".ttc") else TTFont(name, path)
            pdfmetrics.registerFont(font)
            _registered[name] = font
    return font


def register(*names: str) -> None:
    """Load the given faces now (all if none given), e.g. off the GUI thread at start-up."""
    for name in names or tuple(_NAMES.values()):
        load(name)


def has_glyph(font_name: str, ch: str) -> bool:
    """True if the face maps ``ch`` to a glyph with outlines (some faces map rare code points to empty glyphs)."""
    face = load(font_name).face
    gid = face.charToGlyph.get(ord(ch))
    if gid is None:
        return False
    return bool(gid != 0 and face.glyphPos[gid + 1] > face.glyphPos[gid])


@lru_cache(maxsize=65536)
def font_for(main: str, ch: str) -> str:
    """The face that draws ``ch``: ``main`` if its cmap has it, else the first fallback that does."""
    if ch in "\n\t " or has_glyph(main, ch):
        return main
    for name in FALLBACK_CHAIN:
        if has_glyph(name, ch):
            return name
    return main  # nothing has it: let the main face show its .notdef rather than drop the character


def runs(text: str, main: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font, text)`` runs, switching face only where ``main`` lacks a glyph."""
    out: list[tuple[str, str]] = []
    for ch in text:
        f = font_for(main, ch)
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + ch)
        else:
            out.append((f, ch))
    return out


def width(text: str, main: str, size: float) -> float:
    """Advance width of ``text`` in points, fallback faces included."""
    return float(sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, main)))


def missing_everywhere(text: str) -> list[str]:
    """Characters no shipped face can draw (they would print as boxes)."""
    return [ch for ch in dict.fromkeys(text) if not ch.isspace()
            and not any(has_glyph(n, ch) for n in (SONG, KAI, HEI, *FALLBACK_CHAIN))]
