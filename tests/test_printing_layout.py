"""House style and Chinese line breaking of printed forms."""
from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as hs
from pypdf import PdfReader
from reportlab.lib.units import mm

from station.printing import fonts, layout
from station.printing.linebreak import CLOSING, OPENING, atoms, break_paragraph, cjk_punctuation

SIZE = 16.0


def measure(s: str) -> float:
    return fonts.width(s, fonts.KAI, SIZE)


CRAFTED = ("经调解，双方当事人自愿达成如下协议：被申请人于2026年11月15日前支付工资23,000.50元（人民币贰万叁仟元伍角），"
           "款项汇入申请人账户6228480012345678901；“以上款项付清后，双方再无争议。”依照GB/T 9704-2012的版式，"
           "正文每行28字、每页22行……申请人（签名）、被申请人（盖章）、调解员（签名）。")


def check_lines(lines: list[str], source: str, width: float) -> None:
    for line in lines:
        assert line, lines
        assert line[0] not in CLOSING, f"line starts with closing punctuation: {line!r}"
        assert line[-1] not in OPENING, f"line ends with opening punctuation: {line!r}"
        assert measure(line) <= width + 0.01
    assert "".join(lines).replace(" ", "") == source.replace(" ", "")
    for unit in atoms(source):  # a Latin/digit run (with the marks glued to it) stays whole when it fits
        if re.search(r"[A-Za-z0-9]", unit) and measure(unit) <= width:
            assert any(unit in line for line in lines), f"{unit!r} was split: {lines}"


def test_crafted_paragraph_obeys_the_rules_at_every_width() -> None:
    """Every width from 8 to 28 characters moves the break points over every punctuation mark."""
    for chars in range(8, 29):
        width = chars * SIZE
        lines = break_paragraph(CRAFTED, width, width, measure)
        check_lines(lines, CRAFTED, width)


def test_closing_marks_move_down_with_the_character_before_them() -> None:
    width = 10 * SIZE
    text = "一二三四五六七八九十，一二三四五六七八九。"
    lines = break_paragraph(text, width, width, measure)
    assert lines == ["一二三四五六七八九", "十，一二三四五六七八", "九。"]
    text = "一二三四五六七八九《十二》"
    assert break_paragraph(text, width, width, measure)[0] == "一二三四五六七八九"


def test_units_that_must_stay_together() -> None:
    assert atoms("支付23,000.50元（人民币）。") == ["支", "付", "23,000.50", "元", "（人", "民", "币）。"]
    assert atoms("“好”") == ["“好”"]


def test_overlong_latin_runs_break_after_hyphens_first() -> None:
    width = 8 * SIZE
    lines = break_paragraph("编号ZX340621101-01-2026000001号", width, width, measure)
    assert all(measure(line) <= width + 0.01 for line in lines)
    assert any(line.endswith("-") for line in lines[:-1])
    assert "".join(lines) == "编号ZX340621101-01-2026000001号"


_alphabet = hs.sampled_from(list("调解协议书双方当事人甲乙丙丁") + list("，。、；：？！）」』》") + list("（「『《“")
                            + ["2026", "23,000", "GB/T", "A4", " "])


@settings(max_examples=200, deadline=None)
@given(parts=hs.lists(_alphabet, min_size=1, max_size=80), chars=hs.integers(min_value=6, max_value=28))
def test_random_paragraphs_obey_the_rules(parts: list[str], chars: int) -> None:
    text = "".join(parts).strip()
    width = chars * SIZE
    if not text or text[0] in CLOSING or text[-1] in OPENING or any(measure(a) > width for a in atoms(text)):
        return  # nothing can move a leading closing mark; a unit wider than the line is cut by character
    lines = break_paragraph(text, width, width, measure)
    for line in lines:
        if line:
            assert line[0] not in CLOSING and line[-1] not in OPENING
        assert measure(line) <= width + 0.01
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def _layout_pdf(text: str) -> bytes:
    story = layout.title("测试标题") + [layout.para(text)]
    return layout.build(story, layout.PageInfo("测试", header="（2026）临人调字第9号", reference="TEST 第1版"))


def test_printed_lines_obey_the_rules() -> None:
    pdf = _layout_pdf(CRAFTED * 2)
    lines = [re.sub(r"\s+", "", x) for x in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()]
    body = [x for x in lines if x and not x.startswith("—") and x not in ("测试标题", "TEST第1版")]
    assert len(body) > 6
    for line in body:
        assert line[0] not in CLOSING and line[-1] not in OPENING, line
    assert "23,000.50" in "".join(body) and "6228480012345678901" in "".join(body)


def test_page_geometry_and_type_sizes_follow_the_house_style() -> None:
    pdf = _layout_pdf(CRAFTED * 12)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    seen: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            seen.append((tm[4] + cm[4], tm[5] + cm[5], size, text))

    page.extract_text(visitor_text=visit)
    body = [s for s in seen if s[2] == 16]
    assert any(s[2] == 22 for s in seen)  # title 2号
    assert any(s[2] == 14 and "—" in s[3] for s in seen)  # page number 4号
    assert body and min(s[0] for s in body) >= 28 * mm - 0.5  # left margin
    assert max(s[0] for s in body) <= (210 - 26) * mm  # right margin
    assert max(s[1] for s in seen if s[2] >= 16) <= (297 - 37) * mm  # top margin
    assert min(s[1] for s in body) >= 35 * mm - 0.5  # bottom margin
    ys = sorted({round(s[1], 2) for s in body}, reverse=True)
    steps = {round(a - b, 1) for a, b in zip(ys, ys[1:])}
    assert steps == {round(layout.BODY_LINE, 1)}  # fixed line spacing, 22 lines per page
    second = reader.pages[1].extract_text()
    assert "（2026）临人调字第9号" in second and "— 2 —" in second


def test_fallback_faces_draw_what_the_main_face_lacks() -> None:
    assert fonts.font_for(fonts.KAI, "王") == fonts.KAI
    assert fonts.font_for(fonts.KAI, "䶮") == fonts.FALLBACK  # Kai maps 䶮 to an empty glyph
    assert fonts.font_for(fonts.KAI, "𠀀") in (fonts.FALLBACK, fonts.FALLBACK2)
    assert fonts.runs("王䶮", fonts.KAI) == [(fonts.KAI, "王"), (fonts.FALLBACK, "䶮")]
    assert fonts.missing_everywhere("王䶮李𠀀张堃刘喆☑☐") == []


def test_full_width_punctuation_is_restored_next_to_chinese() -> None:
    assert cjk_punctuation("工资23,000元(其中刘喆13,500元),经多次催要:未果?") == "工资23,000元（其中刘喆13,500元），经多次催要：未果？"
    assert cjk_punctuation("09:30 0561-6012345") == "09:30 0561-6012345"
    assert cjk_punctuation("会议09:30开始") == "会议09:30开始"
