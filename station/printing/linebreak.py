"""Chinese line breaking (禁则) for printed forms.

Rules kept (GB/T 15834 punctuation usage, the common typesetting practice):

* no line starts with closing punctuation (，。、；：？！）」』》… and the like):
  such a mark is glued to the character before it, and the pair moves down
  together when it does not fit;
* no line ends with opening punctuation (（「『《“…): glued to what follows;
* a run of Latin letters and digits (12,000.50元 has "12,000.50") is never
  split unless it is longer than a whole line (then after "-" or "/" first);
* spaces are break opportunities and vanish at the line's ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

CLOSING = set("，。、；：？！）」』》〉】〕｝〗〙〛”’…—·％‰℃．,.;:?!)]}%")
OPENING = set("（「『《〈【〔｛〖〘〚“‘([{")


def _latin(ch: str) -> bool:
    return ord(ch) < 0x2E80 and not ch.isspace() and ch not in "“”‘’…—·"


def atoms(text: str) -> list[str]:
    """Split one paragraph into units that must not be broken inside."""
    out: list[str] = []
    glue_next = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            if not glue_next and out and out[-1] != " ":  # a space right after an opening mark is dropped
                out.append(" ")
            i += 1
            continue
        j = i + 1
        if _latin(ch) and ch not in OPENING:
            while j < n and _latin(text[j]) and text[j] not in OPENING:
                j += 1
        unit = text[i:j]
        i = j
        if unit[0] in CLOSING and out and out[-1] == " " and len(out) > 1:
            out.pop()  # no space before a closing mark, or the line could break there
        if unit[0] in CLOSING and out:
            out[-1] += unit
        elif glue_next and out:
            out[-1] += unit
        else:
            out.append(unit)
        glue_next = unit[-1] in OPENING
    return out


def break_paragraph(text: str, first_width: float, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy fill of one paragraph (no newlines) into lines of at most ``width`` points."""
    lines: list[str] = []
    cur, cur_w = "", 0.0
    limit = first_width
    for unit in atoms(text):
        w = measure(unit)
        if cur_w + w <= limit + 0.01:
            if unit == " " and not cur:
                continue
            cur, cur_w = cur + unit, cur_w + w
            continue
        if unit == " ":
            lines.append(cur.rstrip())
            cur, cur_w, limit = "", 0.0, width
            continue
        if cur.strip():
            lines.append(cur.rstrip())
            cur, cur_w, limit = "", 0.0, width
        if w <= limit + 0.01:
            cur, cur_w = unit, w
            continue
        # longer than a whole line: cut after - or / if possible, else by character (last resort)
        for piece in re.findall(r"[^-/]*[-/]?", unit):
            pw = measure(piece) if piece else 0.0
            if cur and cur_w + pw <= limit + 0.01:
                cur, cur_w = cur + piece, cur_w + pw
                continue
            if cur and pw <= width + 0.01:
                lines.append(cur)
                cur, cur_w, limit = piece, pw, width
                continue
            for ch in piece:
                cw = measure(ch)
                if cur and cur_w + cw > limit + 0.01:
                    if ch in CLOSING and len(cur) > 1:  # take the previous character along
                        lines.append(cur[:-1])
                        cur = cur[-1]
                    else:
                        lines.append(cur)
                        cur = ""
                    cur_w, limit = measure(cur), width
                cur, cur_w = cur + ch, cur_w + cw
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


@dataclass(frozen=True)
class Line:
    text: str
    first: bool  # first line of a paragraph (takes the indent)
    last: bool  # last line of a paragraph (not justified)


def break_text(text: str, width: float, measure: Callable[[str], float], indent: float = 0.0) -> list[Line]:
    """All lines of ``text``; each newline starts a paragraph whose first line is indented."""
    out: list[Line] = []
    for para in text.split("\n"):
        lines = break_paragraph(para.strip(), width - indent, width, measure)
        out += [Line(line, i == 0, i == len(lines) - 1) for i, line in enumerate(lines)]
    return out


_CJK = r"[\u2E80-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F\u3000-\u303F\uFF00-\uFFEF]"
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def cjk_punctuation(text: str) -> str:
    """Full-width punctuation next to Chinese text, as Chinese documents are typeset.

    Stored text is NFKC-normalised (full-width digits and letters become
    half-width, and so do ，：；（）), so "工资,经" would print with a Latin
    comma. A mark touching a Chinese character goes back to its full-width
    form; marks between digits or Latin text (13,500; 09:30; (a)) stay.
    """
    if not re.search(_CJK, text):
        return text
    chars = list(text)
    for i, ch in enumerate(chars):
        full = _FULL.get(ch)
        if full is None:
            continue
        before = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        if ch in ",:" and before.isdigit() and after.isdigit():
            continue
        if ch == "(":
            close = text.find(")", i)
            inner = text[i + 1:close] if close > i else after
            touch = bool(re.search(_CJK, before + after + inner))
        elif ch == ")":
            open_ = text.rfind("(", 0, i)
            inner = text[open_ + 1:i] if open_ >= 0 else before
            touch = bool(re.search(_CJK, before + after + inner))
        else:
            touch = bool(re.match(_CJK, before or " ") or re.match(_CJK, after or " ") or not after)
        if touch:
            chars[i] = full
    return "".join(chars)
