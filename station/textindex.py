"""Full-text search over Chinese text with SQLite FTS5.

FTS5's ``unicode61`` tokenizer sees a run of Han characters as one word and its
``trigram`` tokenizer cannot match one- or two-character queries, yet 2-character
words (赡养, 宅基) and names are the most common queries at a counter. So we
tokenize ourselves: every run of CJK characters becomes its overlapping bigrams
plus its last character on its own ("赡养费" → "赡养 养费 费"). A query of
several characters is a phrase of its bigrams, which matches exactly the
substrings; a one-character query is a prefix query. Latin words and digits are
kept whole and matched by prefix. Pinyin initials and full pinyin of names are
added as Latin tokens (张三 → "zs zhangsan").
"""
from __future__ import annotations

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_HAS_CJK = re.compile(rf"[{_CJK}]")


def tokens(text: str) -> list[str]:
    """Index tokens for ``text`` in order (see module docstring)."""
    out: list[str] = []
    for run in _RUN.findall(text or ""):
        if _HAS_CJK.match(run):
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
            out.append(run[-1])
        else:
            out.append(run.lower())
    return out


def index_text(*parts: str | None) -> str:
    return " ".join(t for p in parts if p for t in tokens(p))


# Surnames read differently from the character's everyday reading (单 shàn, not dān).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",), "区": ("ou",),
    "查": ("zha",), "盖": ("ge",), "乐": ("yue",), "覃": ("qin",), "缪": ("miao",), "翟": ("zhai",),
    "召": ("shao",), "种": ("chong",), "秘": ("bi",), "冼": ("xian",), "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"),
}


def _syllables(text: str) -> list[str]:
    # pypinyin loads a 200 ms phrase dictionary: import it on first use, not at start-up.
    from pypinyin import lazy_pinyin

    return [s.lower() for s in lazy_pinyin(text, errors="ignore") if s.isalpha()]


def name_pinyin(name: str) -> list[str]:
    """Pinyin initials and full pinyin of a name: everyday readings, plus the surname reading.

    Only the surname gets an alternative: expanding every heteronym of every character
    (俊 has four readings in the dictionary) would make "zs" find 丁俊.
    """
    if not name or not _HAS_CJK.search(name):
        return []
    variants = [_syllables(name)]
    for surname, reading in SURNAME_READINGS.items():
        if name.startswith(surname):
            variants.append(list(reading) + _syllables(name[len(surname):]))
            break
    out: list[str] = []
    for syl in variants:
        if syl:
            out += ["".join(s[0] for s in syl), "".join(syl)]
    return list(dict.fromkeys(out))


def match_query(text: str) -> str | None:
    """An FTS5 MATCH expression for user text, or None if nothing searchable is in it.

    Every term is quoted, so user input can never be FTS5 syntax.
    """
    terms: list[str] = []
    for run in _RUN.findall(text or ""):
        if _HAS_CJK.match(run):
            if len(run) == 1:
                terms.append(f'"{run}"*')
            else:
                terms.append('"' + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + '"')
        else:
            terms.append(f'"{run.lower()}"*')
    return " AND ".join(terms) if terms else None
