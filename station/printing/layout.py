"""House style of printed forms (close to GB/T 9704) and the building blocks forms are made of.

A4, margins 37/28/26/35 mm (top/left/right/bottom), title in Song 22 pt, body
in the FangSong stand-in (Kai) 16 pt on a fixed 22-lines-per-page grid, page
numbers "— 1 —" in Song 14 pt (odd pages right, even pages left), and the case
number repeated at the top of continuation pages. Text is broken into lines by
:mod:`.linebreak` and drawn by :class:`TextBlock` run by run, so characters the
main face lacks switch to a fallback face (see :mod:`.fonts`).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer, Table, TableStyle

from . import fonts
from .fonts import HEI, KAI, SONG
from .linebreak import Line, break_text, cjk_punctuation

MARGIN_TOP, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_BOTTOM = 37 * mm, 28 * mm, 26 * mm, 35 * mm
BODY_LINE = 225 * mm / 22  # GB/T 9704: 22 lines in the 225 mm text block


@dataclass(frozen=True)
class Style:
    font: str
    size: float
    leading: float
    align: str = "justify"  # justify | left | center | right
    indent: float = 0.0  # first-line indent in em
    bold: bool = False  # Song has no bold face: fill + thin stroke


TITLE = Style(SONG, 22, 40, "center", bold=True)
BODY = Style(KAI, 16, BODY_LINE, "justify", indent=2)
PLAIN = replace(BODY, indent=0)
HEADING = Style(HEI, 16, BODY_LINE, "left")
NUMBER = Style(SONG, 14, 24, "right")
CELL = Style(KAI, 14, 21, "left")
CELL_LABEL = Style(SONG, 14, 21, "center")
SMALL = Style(KAI, 10.5, 15, "left")
SIGN = Style(SONG, 12, 18, "right")
SMALL_LABEL = Style(SONG, 10.5, 15, "center")


class TextBlock(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """Wrapped text on a fixed line grid; splits between lines at page breaks."""

    def __init__(self, text: str, style: Style = BODY, _lines: list[Line] | None = None) -> None:
        super().__init__()
        self.text, self.style = cjk_punctuation(text), style
        self._lines = _lines
        self._fixed = _lines is not None
        self.width = self.height = 0.0

    def _measure(self, s: str) -> float:
        return fonts.width(s, self.style.font, self.style.size)

    def lines(self, width: float) -> list[Line]:
        st = self.style
        return break_text(self.text, width, self._measure, st.indent * st.size)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self._fixed:
            self._lines = self.lines(availWidth)
        self.width = availWidth
        self.height = len(self._lines or []) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        lines = self._lines or []
        n = int((availHeight + 0.01) // self.style.leading)
        if n >= len(lines):
            return [self]
        if n < 2 or len(lines) < 4:
            return []  # no single orphan or widow line
        if len(lines) - n < 2:
            n = len(lines) - 2
        return [TextBlock(self.text, self.style, lines[:n]), TextBlock(self.text, self.style, lines[n:])]

    def draw(self) -> None:
        st, canv = self.style, self.canv
        canv.setFillColor(colors.black)
        canv.setStrokeColor(colors.black)
        for i, line in enumerate(self._lines or []):
            top = self.height - i * st.leading
            baseline = top - (st.leading - st.size) / 2 - 0.86 * st.size
            x = st.indent * st.size if line.first else 0.0
            avail = self.width - x
            w = self._measure(line.text)
            char_space = 0.0
            if st.align == "center":
                x += (avail - w) / 2
            elif st.align == "right":
                x += avail - w
            elif st.align == "justify" and not line.last and len(line.text) > 1:
                char_space = min(max(avail - w, 0.0) / (len(line.text) - 1), st.size * 0.35)
            tx = canv.beginText(x, baseline)
            if st.bold:
                tx.setTextRenderMode(2)
                canv.setLineWidth(st.size * 0.03)
            tx.setCharSpace(char_space)
            for font, text in fonts.runs(line.text, st.font):
                tx.setFont(font, st.size)
                tx.textOut(text)
            canv.drawText(tx)


def title(text: str) -> list[Flowable]:
    return [TextBlock(text, TITLE), Spacer(1, 4 * mm)]


def number_line(text: str) -> TextBlock:
    return TextBlock(text, NUMBER)


def para(text: str, style: Style = BODY) -> TextBlock:
    return TextBlock(text, style)


def heading(text: str) -> TextBlock:
    """A heading that never ends a page: it moves with what follows it."""
    block = TextBlock(text, HEADING)
    block.keepWithNext = True
    return block


def gap(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)


def numbered(items: Sequence[str], style: Style = PLAIN) -> list[Flowable]:
    """Numbered clauses "1. …" with the number kept from the clause text the user typed."""
    out: list[Flowable] = []
    for i, item in enumerate(items, 1):
        body = item.strip()
        out.append(TextBlock(f"{i}．{body}", replace(style, indent=2)))
    return out


def grid(rows: Sequence[Sequence[Any]], widths_mm: Sequence[float], *, label_cols: Sequence[int] = (0,),
         spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (), cell: Style = CELL,
         label: Style = CELL_LABEL, header_rows: int = 0, min_height_mm: dict[int, float] | None = None
         ) -> Table:
    """A ruled form grid. Strings become wrapped text (labels in Song, values in Kai)."""
    data = []
    for r, row in enumerate(rows):
        out_row = []
        for c, v in enumerate(row):
            if isinstance(v, str):
                is_label = c in label_cols or r < header_rows
                v = TextBlock(v, label if is_label else cell)
            out_row.append(v)
        data.append(out_row)
    heights = None
    if min_height_mm:  # ReportLab row heights are fixed: use the minimum only where the text is shorter
        heights = [None] * len(rows)
        for r, least in min_height_mm.items():
            need = max((v.wrap(widths_mm[c] * mm - 8, 1e6)[1] + 6 for c, v in enumerate(data[r])
                        if isinstance(v, Flowable)), default=0.0)
            heights[r] = least * mm if need < least * mm else None
    # splitInRow: a row taller than the page (a long 纠纷简要情况) continues on the next page
    t = Table(data, colWidths=[w * mm for w in widths_mm], rowHeights=heights, repeatRows=header_rows,
              hAlign="LEFT", splitInRow=int(3 * cell.leading))
    style = [("FONTNAME", (0, 0), (-1, -1), KAI), ("GRID", (0, 0), (-1, -1), 0.75, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    for r in (min_height_mm or {}):
        style.append(("VALIGN", (0, r), (-1, r), "TOP"))  # tall blank rows: text at the top, room below
    for r, row in enumerate(data):  # rows that may have to split across pages: ReportLab splits only top-aligned
        if any(isinstance(v, Flowable) and v.wrap(widths_mm[c] * mm - 8, 1e6)[1] > 180 for c, v in enumerate(row)):
            style.append(("VALIGN", (0, r), (-1, r), "TOP"))
    for a, b in spans:
        style.append(("SPAN", a, b))
    t.setStyle(TableStyle(style))
    return t


def form_grid(rows: Sequence[Sequence[Any]], widths_mm: Sequence[float], *, label_cols: Sequence[int] = (0, 2),
              min_height_mm: dict[int, float] | None = None, **kw: Any) -> list[Flowable]:
    """A ruled form whose rows may be narrower than the grid: a two-cell row is label + a value
    spanning the rest.

    Built as stacked tables rather than with SPAN, because ReportLab loses a
    span when it splits a row across pages (a long 纠纷简要情况 would then be
    squeezed into one narrow column).
    """
    out: list[Flowable] = []
    start = 0
    while start < len(rows):
        n = len(rows[start])
        end = start
        while end < len(rows) and len(rows[end]) == n:
            end += 1
        widths = list(widths_mm) if n == len(widths_mm) else [widths_mm[0], sum(widths_mm[1:])]
        heights = {r - start: h for r, h in (min_height_mm or {}).items() if start <= r < end}
        out.append(grid(rows[start:end], widths, label_cols=[c for c in label_cols if c < n],
                        min_height_mm=heights or None, **kw))
        start = end
    return out


def signature_rows(rows: Sequence[tuple[str, str]], style: Style = replace(PLAIN, leading=22)) -> Table:
    """Signature lines: ``(who, what to put there)`` — e.g. ("申请人 刘喆", "签名") and a fingerprint line.

    Each row is the label, a ruled blank for the signature and a ruled blank
    for the fingerprint (按指印) when the second item asks for one.
    """
    data = []
    ruled = []
    for r, (who, kind) in enumerate(rows):
        if kind == "签名+指印":
            data.append([TextBlock(who, style), TextBlock("签名：", SIGN), "", TextBlock("指印：", SIGN), ""])
            ruled += [("LINEBELOW", (2, r), (2, r), 0.6, colors.black), ("LINEBELOW", (4, r), (4, r), 0.6, colors.black)]
        else:
            data.append([TextBlock(who, style), TextBlock(f"{kind}：", SIGN), "", "", ""])
            ruled.append(("LINEBELOW", (2, r), (4, r), 0.6, colors.black))
    t = Table(data, colWidths=[66 * mm, 16 * mm, 38 * mm, 16 * mm, 20 * mm], hAlign="LEFT")
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), KAI), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 12),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 2), *ruled]))
    return t


def seal_block(organisation: str, date_text: str, seal_note: str = "（印章）") -> list[Flowable]:
    """Right-aligned organisation, seal note and date, with room above for the round seal."""
    right = replace(PLAIN, align="right", leading=24)
    return [gap(8), TextBlock(organisation, right), TextBlock(seal_note, right), TextBlock(date_text, right)]


def keep(*parts: Flowable | list[Flowable]) -> KeepTogether:
    """Keep a heading and the block under it on one page (signature areas never split)."""
    flat: list[Flowable] = []
    for p in parts:
        flat += p if isinstance(p, list) else [p]
    return KeepTogether(flat)


@dataclass(frozen=True)
class PageInfo:
    """What the page decorations need: header on continuation pages and a small record reference."""

    doc_title: str
    header: str = ""  # e.g. the case number, repeated from page 2 on
    reference: str = ""  # e.g. "TJ…0001 第5版": ties the paper to the stored version
    landscape: bool = False
    page_numbers: bool = True  # covers carry none


def _decorate(info: PageInfo, size: tuple[float, float]) -> Any:
    width, height = size

    def on_page(canv: Canvas, doc: BaseDocTemplate) -> None:
        page = canv.getPageNumber()
        canv.saveState()
        canv.setFillColor(colors.black)
        left, right = doc.leftMargin, width - doc.rightMargin
        top = height - doc.topMargin
        if page > 1 and info.header:
            canv.setFont(SONG, 10.5)
            canv.drawRightString(right, top + 6 * mm, info.header)
            canv.setLineWidth(0.5)
            canv.line(left, top + 4.5 * mm, right, top + 4.5 * mm)
        label = f"— {page} —"
        y = doc.bottomMargin - 7 * mm - 14
        canv.setFont(SONG, 14)
        if not info.page_numbers:
            pass
        elif page % 2:
            canv.drawRightString(right - 14, y, label)
        else:
            canv.drawString(left + 14, y, label)
        if info.reference:
            canv.setFont(SONG, 8)
            ref_y = 12 * mm
            if page % 2:
                canv.drawString(left, ref_y, info.reference)
            else:
                canv.drawRightString(right, ref_y, info.reference)
        canv.restoreState()

    return on_page


def build(story: list[Flowable], info: PageInfo) -> bytes:
    """Lay out ``story`` and return the PDF bytes (deterministic: ``invariant=1``, fixed metadata)."""
    fonts.register(SONG, KAI)  # page decorations and the canvas' initial font; others load when text needs them
    size = landscape(A4) if info.landscape else A4
    buf = io.BytesIO()
    if info.landscape:
        margins = dict(leftMargin=20 * mm, rightMargin=20 * mm, topMargin=28 * mm, bottomMargin=28 * mm)
    else:
        margins = dict(leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
                       bottomMargin=MARGIN_BOTTOM)
    doc = BaseDocTemplate(buf, pagesize=size, title=info.doc_title, author="司法所 Station", subject=info.reference,
                          creator="Station", producer="Station (ReportLab)", invariant=1,
                          initialFontName=KAI, initialFontSize=16, lang="zh-CN", **margins)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0, id="body")
    decorate = _decorate(info, size)
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPage=decorate)])
    doc.build(story)
    return buf.getvalue()
