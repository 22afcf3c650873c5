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

import itertools
import re

from pypinyin import Style, lazy_pinyin, pinyin

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


def name_pinyin(name: str, max_variants: int = 6) -> list[str]:
    """Pinyin initials (every reading of heteronyms, capped) and the full pinyin of a name."""
    if not name or not _HAS_CJK.search(name):
        return []
    letters = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    choices = [sorted({s.lower() for s in syl if s.isalpha()}) or [""] for syl in letters]
    initials = ["".join(c) for c in itertools.islice(itertools.product(*choices), max_variants)]
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return list(dict.fromkeys([i for i in initials if i] + ([full] if full else [])))


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
