"""Printed forms: every required element is in the PDF text, fonts are embedded, prints are logged."""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from pypdf import PdfReader

from station import Station, ValidationError
from station import cli
from station.printing import FORMS, forms_for, render
from station.printing.forms.agreement import EFFECT
from station.services import printlog

from .printing_fixtures import ORG_CODE, VALID_ID, make_station

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Station, dict[str, Any]]]:
    """One station with realistic records, shared by the read-only print tests of this module."""
    folder = tmp_path_factory.mktemp("printing")
    st = Station.open(folder)
    ids = make_station(st)
    yield st, ids
    st.close()


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """All text with whitespace removed, so phrases match across line breaks."""
    return re.sub(r"\s+", "", "".join(pages(pdf)))


def test_registry_lists_every_form_of_the_issue() -> None:
    assert set(FORMS) == {"agreement", "application", "acceptance", "rights", "investigation", "session", "oral",
                          "follow_up", "cover", "contents", "back", "judicial", "consultations", "adviser_log"}
    assert FORMS["agreement"].title == "人民调解协议书" and FORMS["agreement"].takes == "case"
    assert FORMS["consultations"].takes == FORMS["adviser_log"].takes == "period"


def test_print_menu_offers_only_forms_the_case_can_fill(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    written = {f.key for f in forms_for(st.mediation.get_case(ids["case"]))}
    oral = {f.key for f in forms_for(st.mediation.get_case(ids["oral"]))}
    assert {"agreement", "judicial", "investigation", "follow_up"} <= written and "oral" not in written
    assert "oral" in oral and not {"agreement", "judicial", "investigation", "follow_up"} & oral
    for key in written | oral:  # everything offered really prints
        render(st, key, ids["case"] if key in written else ids["oral"], record=False)


def test_agreement_has_every_required_element(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    pdf = render(st, "agreement", ids["case"], record=False)
    text = flat(pdf)
    required = [
        "人民调解协议书", "编号：（2026）临人调字第1号",
        # natural persons: name, gender, ethnicity, birth date, ID number, address, phone
        "申请人：刘喆，女，汉族，1949年12月31日出生", f"公民身份号码：{VALID_ID}", "住址：安徽省濉溪县临涣镇南坪村三组18号",
        "联系电话：13812345678", "申请人：王䶮，男，回族，1988年7月15日出生",
        # organisation: name, credit code, representative; and its agent
        "被申请人：濉溪县鑫源建筑劳务有限公司", f"统一社会信用代码：{ORG_CODE}", "法定代表人：赵德胜",
        "委托代理人：张堃，男，汉族",
        # facts and points of dispute
        "纠纷主要事实、争议事项：", "截至2026年10月底，被申请人尚欠申请人工资共计23,000元", "争议事项：被申请人支付拖欠的工资23,000元",
        # numbered terms
        "经调解，自愿达成如下协议：", "1．被申请人濉溪县鑫源建筑劳务有限公司于2026年11月15日前", "2．上述款项通过银行转账方式",
        "3．申请人自愿放弃交通费等其他请求。", "4．本协议履行完毕后，双方就本纠纷再无其他争议。",
        # performance: how and by when
        "履行方式、时限：", "履行方式：银行转账，一次性支付", "履行期限：2026年11月15日前履行完毕",
        # the Law's statement on effect
        re.sub(r"\s+", "", EFFECT), "具有法律约束力", "第三十三条",
        # copies = parties + 1
        "本协议一式4份",
        # signatures, fingerprints, mediator, seal, date
        "当事人（签名盖章或按指印）：", "人民调解员：孙德胜", "记录人", "临涣镇人民调解委员会", "（人民调解委员会印）",
        "2026年11月5日",
    ]
    missing = [r for r in required if r not in text]
    assert not missing, missing
    # every party signs (and a natural person or representative fingerprints): 3 parties + agent + representative
    assert text.count("签名：") >= 6 and text.count("指印：") >= 4
    for name in ("申请人：刘喆签名：", "申请人：王䶮签名：", "被申请人：濉溪县鑫源建筑劳务有限公司盖章：", "委托代理人：张堃签名："):
        assert name in text


def test_continuation_pages_repeat_the_case_number_and_are_numbered(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    texts = pages(render(st, "agreement", ids["case"], record=False))
    assert len(texts) >= 2
    for i, t in enumerate(texts, 1):
        assert f"— {i} —" in t
    for t in texts[1:]:
        assert "（2026）临人调字第1号" in t


def test_signature_block_stays_with_its_heading(ready: Station) -> None:
    """Agreements of growing length: the signature heading, every signature line and the seal share a page."""
    st, m = ready, ready.ids["mediator"]  # type: ignore[attr-defined]
    page_counts = set()
    for extra in range(0, 12):
        uid = st.mediation.apply_case({
            "applied_on": "2026-11-02", "dispute_type": "02", "facts": "相邻排水纠纷。" * 6,
            "parties": [{"side": "applicant", "person": {"name": f"甲{extra}"}},
                        {"side": "respondent", "person": {"name": f"乙{extra}"}}]}).uid
        st.mediation.accept_case(uid, {"accepted_on": "2026-11-03", "mediator_uids": [m]})
        st.mediation.record_session(uid, {"held_at": "2026-11-04 09:00", "record": "陈述"})
        terms = [f"第{i}项约定：双方同意按照村规民约的规定共同维护排水沟的畅通，费用各半负担。" for i in range(extra + 1)]
        st.mediation.record_agreement(uid, {"outcome_on": "2026-11-05", "terms": terms, "performance_method": "自行履行"})
        texts = [re.sub(r"\s+", "", t) for t in pages(render(st, "agreement", uid, record=False))]
        page_counts.add(len(texts))
        holder = [t for t in texts if "当事人（签名盖章或按指印）：" in t]
        assert len(holder) == 1
        page = holder[0]
        assert "本协议一式3份" in page and "记录人" in page and "（人民调解委员会印）" in page, extra
        assert page.index("当事人（签名盖章或按指印）：") < page.index("申请人：甲") < page.index("（人民调解委员会印）")
    assert len(page_counts) >= 2  # the block really met page breaks at different places


FORM_CONTENT: dict[str, list[str]] = {
    "application": ["人民调解申请书", "申请人：刘喆，女，汉族，1949年12月31日出生（76岁）", "王䶮，男，回族，1988年7月15日出生（38岁）", "被申请人：濉溪县鑫源建筑劳务有限公司", "纠纷简要情况：", "申请事项：",
                    "1．被申请人支付拖欠的工资23,000元", "2．被申请人承担申请人为讨要工资支出的交通费300元", "本人自愿申请",
                    "签名：", "指印：", "2026年11月2日"],
    "acceptance": ["人民调解受理登记表", "（2026）临人调字第1号", "2026年11月3日，本委员会经当事人同意，对刘喆、王䶮与濉溪县鑫源建筑劳务有限公司之间的拖欠农民工工资纠纷进行调解",
                   "纠纷类型", "拖欠农民工工资纠纷", "案件来源", "☑当事人申请", "☐人民调解委员会主动调解", "纠纷简要情况",
                   "当事人（签名）", "登记人（签名）", "人民调解委员会（印章）", "此表由人民调解委员会填写", "23,000.00元"],
    "rights": ["人民调解当事人权利义务告知书", "刘喆、王䶮、濉溪县鑫源建筑劳务有限公司：", "群众性组织", "不收取任何费用",
               "1．选择或者接受人民调解员", "2．接受调解、拒绝调解或者要求终止调解", "3．要求调解公开进行或者不公开进行",
               "4．自主表达意愿、自愿达成调解协议", "1．如实陈述纠纷事实", "2．遵守调解现场秩序，尊重人民调解员",
               "3．尊重对方当事人行使权利", "当事人（签名）：", "申请人：刘喆签名：", "（人民调解委员会印）"],
    "investigation": ["人民调解调查记录", "调查时间", "2026年11月4日9时30分", "调查地点", "南坪村安置房项目部", "被调查人",
                      "张堃（被申请人项目经理）", "参加人", "南坪村村委会主任李𠀀", "调查人", "孙德胜", "记录人", "周敏",
                      "问：申请人在你项目部务工的时间和工资标准是多少？", "答：从今年3月开始", "被调查人签名："],
    "session": ["人民调解记录", "时间", "2026年11月5日14时00分", "地点", "临涣镇人民调解委员会调解室", "事由", "拖欠农民工工资纠纷",
                "当事人", "申请人刘喆、王䶮；被申请人委托代理人张堃", "参加人", "人民调解员", "记录人", "周敏",
                "调解员告知当事人在调解活动中的权利和义务", "调解结果：", "调解成功，达成书面协议（2026年11月5日）",
                "以上记录已向当事人宣读"],
    "oral": ["人民调解口头协议登记表", "（2026）临人调字第2号", "申请人：陈桂兰", "被申请人：陈大山", "纠纷简要情况",
             "两家房屋相邻", "协议内容", "1．陈大山于11月10日前将排水沟改向东侧。", "2．双方互谅互让，和睦相处。",
             "履行方式、时限", "履行方式：自行施工；履行期限：2026年11月10日前履行完毕", "人民调解员", "孙德胜",
             "（人民调解委员会印）", "2026年11月6日"],
    "follow_up": ["人民调解回访记录", "被回访当事人", "调解协议编号", "（2026）临人调字第1号", "回访事由", "拖欠农民工工资纠纷",
                  "回访时间", "2026年11月16日", "回访情况", "履行情况：已履行", "满意", "二人确认已于11月14日收到全部工资",
                  "回访人", "孙德胜", "临涣镇人民调解委员会"],
    "cover": ["临涣镇人民调解委员会", "调解卷宗", "卷名：", "刘喆、王䶮与濉溪县鑫源建筑劳务有限公司拖欠农民工工资纠纷", "卷号：",
              "（2026）临人调字第1号", "人民调解员：", "孙德胜", "调解日期：", "自2026年11月3日至2026年11月5日", "立卷人：",
              "立卷日期：", "保管期限：", "备注："],
    "contents": ["卷内目录", "序号", "文书名称", "页号", "备注", "人民调解申请书", "人民调解当事人权利义务告知书", "当事人身份证明",
                 "授权委托书", "人民调解调查记录", "人民调解记录", "人民调解协议书", "人民调解回访记录", "司法确认有关材料", "封底"],
    "back": ["卷内备考表", "（2026）临人调字第1号", "本卷共有文件材料10件", "立卷人", "检查人", "立卷日期"],
    "judicial": ["司法确认申请书", "申请人：刘喆", "申请人：王䶮", "申请人：濉溪县鑫源建筑劳务有限公司", f"统一社会信用代码：{ORG_CODE}",
                 "请求事项：", "请求依法确认申请人于2026年11月5日经临涣镇人民调解委员会主持调解达成的（2026）临人调字第1号人民调解协议有效",
                 "事实和理由：", "1．被申请人濉溪县鑫源建筑劳务有限公司于2026年11月15日前", "三十日内共同向人民法院申请司法确认",
                 "此致", "濉溪县人民法院", "申请人（签名盖章或按指印）：", "2026年11月10日"],
    "consultations": ["来访咨询登记台账", "临涣镇司法所", "2026年10月", "序号", "编号", "日期时间", "咨询事项摘要", "处理结果",
                      "接待人", "刘喆", "李𠀀", "13911112222", "临涣镇临涣社区", "婚姻家庭", "在工地务工被拖欠工资五个月",
                      "引导申请法律援助（法律援助机构）", "当场解答", "转人民调解", "马建国", "本期共登记来访咨询3件"],
    "adviser_log": ["村（居）法律顾问工作日志", "临涣镇司法所", "2026年10月", "2026-10-09", "09:00—11:30", "南坪村", "临涣社区",
                    "实地服务", "法治宣传教育、法律咨询解答", "南坪村村民（35人）", "审查村规民约", "出具书面审查意见", "孙德胜",
                    "本期共服务2次，合计4.5小时"],
}


@pytest.mark.parametrize("form", sorted(FORM_CONTENT))
def test_each_form_prints_its_required_elements_from_the_stored_record(
        printed: tuple[Station, dict[str, Any]], form: str) -> None:
    st, ids = printed
    key = "2026-10" if FORMS[form].takes == "period" else ids["oral" if form == "oral" else "case"]
    pdf = render(st, form, key, record=False)
    text = flat(pdf)
    missing = [r for r in FORM_CONTENT[form] if re.sub(r"\s+", "", r) not in text]
    assert not missing, missing


def _fonts(pdf: bytes) -> list[dict[str, Any]]:
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            out.append({"name": str(font["/BaseFont"]), "embedded": any(k in desc for k in
                                                                        ("/FontFile", "/FontFile2", "/FontFile3"))})
    return out


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_font_is_an_embedded_subset_of_a_shipped_face(printed: tuple[Station, dict[str, Any]], form: str) -> None:
    st, ids = printed
    key = "2026-10" if FORMS[form].takes == "period" else ids["oral" if form == "oral" else "case"]
    used = _fonts(render(st, form, key, record=False))
    assert used
    for f in used:
        assert f["embedded"], f
        assert re.fullmatch(r"/[A-Z]{6}\+(UMingCN|UKaiCN|WenQuanYiMicroHei|HanaMinA|HanaMinB)(-\d+)?", f["name"]), f


def test_rare_name_characters_print_as_themselves(printed: tuple[Station, dict[str, Any]]) -> None:
    """䶮 (an empty glyph in the Kai face) and 𠀀 (CJK Ext B) come from the Hanazono fallback faces."""
    st, ids = printed
    for name in ("王䶮", "李𠀀", "张堃", "刘喆"):
        ids_person = st.people.save_person({"name": name, "gender": "男"})
        assert ids_person.record["name"] == name
    text = flat(render(st, "agreement", ids["case"], record=False))
    for name in ("王䶮", "张堃", "刘喆"):
        assert name in text
    ledger = render(st, "consultations", "2026-10", record=False)
    assert "李𠀀" in flat(ledger)
    names = {f["name"].split("+")[1] for f in _fonts(ledger)}
    assert "HanaMinA" in names or "HanaMinB" in names


def test_same_record_and_version_give_identical_bytes(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    first = render(st, "agreement", ids["case"], record=False)
    assert render(st, "agreement", ids["case"], record=False) == first
    # and in a fresh process (font loading order, subset names and object ids must not vary)
    code = ("import sys;from station import Station;from station.printing import render;"
            f"st=Station.open({str(st.data_dir)!r});"
            f"sys.stdout.buffer.write(render(st,'agreement',{ids['case']!r},record=False))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout
    assert hashlib.sha256(out).hexdigest() == hashlib.sha256(first).hexdigest()
    assert b"/CreationDate" not in first or b"D:20000101000000" in first


def test_a_new_version_prints_differently(ready: Station) -> None:
    st = ready
    ids = {"mediator": st.ids["mediator"], "recorder": st.ids["clerk"]}  # type: ignore[attr-defined]
    from .printing_fixtures import oral_case
    uid = oral_case(st, ids)
    before = render(st, "oral", uid, record=False)
    st.mediation.update_case(uid, {"title": "排水沟纠纷"})
    assert render(st, "oral", uid, record=False) != before


def test_every_print_is_logged_with_version_copies_and_actor(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    case = st.mediation.get_case(ids["case"])
    pdf = render(st, "agreement", case["display_number"], copies=6, actor=ids["clerk"])
    assert "本协议一式6份" in flat(pdf)
    with st.read() as s:
        log = printlog.list_prints(s, ids["case"])
    assert log[0]["form"] == "agreement" and log[0]["record_kind"] == "case"
    assert (log[0]["record_version"], log[0]["copies"], log[0]["actor_uid"]) == (case["version"], 6, ids["clerk"])
    assert log[0]["sha256"] == hashlib.sha256(pdf).hexdigest() and log[0]["device_id"] == st.device_id
    render(st, "consultations", "2026-10")
    with st.read() as s:
        assert printlog.list_prints(s, "consultations:2026-10")[0]["record_version"] is None


def test_default_copies_are_parties_plus_one(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    render(st, "agreement", ids["case"])
    with st.read() as s:
        assert printlog.list_prints(s, ids["case"])[0]["copies"] == 4


def test_wrong_record_or_form_is_refused_in_chinese(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    with pytest.raises(ValidationError, match="没有书面调解协议"):
        render(st, "agreement", ids["oral"])
    with pytest.raises(ValidationError, match="没有口头调解协议"):
        render(st, "oral", ids["case"])
    with pytest.raises(ValidationError, match="没有这种表单"):
        render(st, "receipt", ids["case"])
    with pytest.raises(ValidationError, match="期间：无法识别"):
        render(st, "consultations", "October")
    with pytest.raises(ValidationError, match="份数"):
        render(st, "agreement", ids["case"], copies=0)


def test_one_session_or_follow_up_prints_alone(printed: tuple[Station, dict[str, Any]]) -> None:
    st, ids = printed
    case = st.mediation.get_case(ids["case"])
    inv = [s for s in case["sessions"] if s["kind"] == "investigation"][0]
    text = flat(render(st, "investigation", inv["uid"], record=False))
    assert "人民调解调查记录" in text and "调查地点南坪村安置房项目部" in text
    with pytest.raises(ValidationError, match="调解记录"):
        render(st, "session", inv["uid"], record=False)  # an investigation is not a mediation session
    with st.read() as s:
        before = len(printlog.list_prints(s, inv["uid"]))
    render(st, "investigation", inv["uid"])
    with st.read() as s:
        row = printlog.list_prints(s, inv["uid"])[0]
    assert before == 0
    assert (row["form"], row["record_kind"], row["record_version"]) == ("investigation", "case_session", inv["version"])


def test_ledger_period_selects_only_its_rows(printed: tuple[Station, dict[str, Any]]) -> None:
    st, _ = printed
    text = flat(render(st, "consultations", "2026-10-10..2026-10-31", record=False))
    assert "本期共登记来访咨询2件" in text and "2026年10月10日至2026年10月31日" in text and "刘喆" not in text
    assert "本期共服务0次" in flat(render(st, "adviser_log", "2025", record=False))


def test_cli_print_and_list(printed: tuple[Station, dict[str, Any]], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    st, ids = printed
    assert cli.main(["--data-dir", str(st.data_dir), "print", "--list"]) == 0
    listed = capsys.readouterr().out
    for key, spec in FORMS.items():
        assert key in listed and spec.title in listed
    target = tmp_path / "协议书.pdf"
    assert cli.main(["--data-dir", str(st.data_dir), "print", "agreement", "（2026）临人调字第1号", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF") and "人民调解协议书" in flat(target.read_bytes())
    assert cli.main(["--data-dir", str(st.data_dir), "print", "agreement", "no-such-case", "-o", str(target)]) == 2
    assert "找不到记录" in capsys.readouterr().err
    assert cli.main(["--data-dir", str(st.data_dir), "print", "agreement"]) == 2



def test_very_long_text_continues_on_the_next_page_instead_of_failing(ready: Station) -> None:
    """A 纠纷简要情况 longer than a page splits inside its table row (ReportLab would otherwise give up)."""
    facts = "".join(f"第{i}段：申请人陈述双方因宅基地界址发生争执的经过，并提交了土地使用证复印件。" for i in range(1, 121))
    uid = ready.mediation.apply_case({"applied_on": "2026-11-02", "dispute_type": "03", "facts": facts,
                                      "parties": [{"side": "applicant", "person": {"name": "甲"}},
                                                  {"side": "respondent", "person": {"name": "乙"}}]}).uid
    for form in ("acceptance", "application"):
        pdf = render(ready, form, uid, record=False)
        # page decorations (reference line, page number, repeated number) cut into the flow of text
        text = re.sub(r"TJ[\d-]+(第\d+版)?|—\d+—", "", flat(pdf))
        assert len(pages(pdf)) >= 3
        missing = [i for i in range(1, 121) if f"第{i}段：" not in text]
        assert not missing, (form, missing)


def test_every_offered_form_prints_for_generated_demo_cases(station: Station) -> None:
    """Any stored record prints: every form the print menu offers, for every case of a demo data set."""
    from station.demo import generate

    generate(station, 80, seed=11)
    printed = 0
    for c in station.records.list_records("case", limit=100):
        case = station.mediation.get_case(c["uid"])
        for spec in forms_for(case):
            assert render(station, spec.key, c["uid"], record=False).startswith(b"%PDF")
            printed += 1
    assert printed > 20
    everything = station.records.list_records("consultation", limit=1000)
    year = everything[0]["occurred_at"][:4]
    in_year = [c for c in everything if c["occurred_at"].startswith(year)]
    text = flat(render(station, "consultations", year, record=False))
    assert f"期间：{year}年" in text and f"本期共登记来访咨询{len(in_year)}件" in text
    assert all(c["number"] in text for c in in_year)
