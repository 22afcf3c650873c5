"""首次使用设置向导: station identity (typed or fetched from the county hub), the chief's account,
villages, case number format, backups, the recovery code, then one transaction that applies it all.

What is typed is kept as the draft ``first_run`` (passwords and the hub token never are) and comes
back on the next start. Page checks are the core's (:mod:`station.services.first_run`), shown next
to the fields; the wizard does not move on past a page with errors.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget, QWizard, QWizardPage)

from station.errors import FieldError, ValidationError
from station.services import first_run as core

from .qtcompat import emit
from .widgets.field_form import ERROR_STYLE, Field, FieldForm
from .worker import single_shot_timer

OK_STYLE = "color: #1b6e20;"
NOTE_STYLE = "color: #555;"
STATUS = {"new": "新增", "exists": "已有，跳过", "repeat": "重复，跳过", "error": "有误"}
KINDS = {"village": "村", "community": "社区"}

#: the open wizard, or None while it loads, with the worker it belongs to (one at a time per app)
_open: list[tuple[Any, "FirstRunWizard | None"]] = []


def current() -> "FirstRunWizard | None":
    """The wizard on screen, if any (tests and the screenshot script look at it)."""
    wiz = _open[0][1] if _open else None
    return wiz if wiz is not None and wiz.isVisible() else None


def load_state(st: Any) -> dict[str, Any]:
    """Everything the wizard starts from (runs on the DB thread)."""
    draft = st.drafts.load_draft(core.DRAFT_KEY)
    settings = st.reference.get_settings()
    encrypted = st.key is not None
    code = None
    if encrypted and not settings.get("recovery_code_confirmed"):
        code = st.recovery_code
        if code is None:  # the code shown last time was never confirmed as written down: a new one
            code = st.recovery_code = core.reissue_recovery_code(st.data_dir, st.key)
    return {"station": st.reference.station_info(), "settings": settings, "draft": draft,
            "villages": [v["name"] for v in st.reference.list_reference("village")],
            "has_accounts": bool(st.accounts.list_accounts()),
            "recovery_code": code, "encrypted": encrypted, "data_dir": str(st.data_dir)}


def first_run_pending(st: Any) -> bool:
    """The app should open the wizard: no station identity, or a wizard left unfinished (its draft)."""
    return st.reference.station_info() is None or st.drafts.load_draft(core.DRAFT_KEY) is not None


def open_wizard(worker: Any, bus: Any, parent: QWidget | None, *, rerun: bool = False,
                on_done: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Load the state on the DB thread, then show the wizard (unless one is already open or loading)."""
    if _open and _open[0][0] is worker:
        wiz = _open[0][1]
        if wiz is None:  # loading: a second call must not open another
            return
        if wiz.isVisible():
            wiz.raise_()
            wiz.activateWindow()
            return
    _open[:] = [(worker, None)]  # (a wizard of an app that was closed meanwhile is forgotten)

    def show(state: dict[str, Any]) -> None:
        wiz = FirstRunWizard(worker, bus, state, parent, rerun=rerun)
        if on_done is not None:
            wiz.applied.connect(on_done)  # type: ignore[attr-defined]
        _open[:] = [(worker, wiz)]
        wiz.finished.connect(lambda _r: _open.clear())
        wiz.open()

    def failed(exc: BaseException) -> None:
        _open.clear()
        emit(bus.error_raised, exc)
    worker.run(load_state, show, failed)


def _page_errors(form: FieldForm, errors: list[FieldError], summary: QLabel) -> bool:
    """Show the core's errors next to their fields and, naming each field, above the form."""
    form.show_errors(errors)
    if errors:
        summary.setText("请改正：" + "；".join(str(e) for e in errors))
        summary.show()
    else:
        summary.hide()
    return not errors


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.hide()
    return label


def _note(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    if name:
        label.setAccessibleName(name)
    return label


class _FormPage(QWizardPage):
    """A wizard page of one FieldForm whose fields the core checks as page ``key``."""

    key = ""

    def __init__(self, wizard: "FirstRunWizard", title: str, subtitle: str, fields: list[Field]) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = FieldForm(fields)
        self.form.changed.connect(wizard.changed)
        self.errors = _error_label(f"{title}错误")
        self.form.changed.connect(self.errors.hide)  # the summary was about the old values
        self.lay = QVBoxLayout(self)
        self.lay.addWidget(self.errors)
        self.lay.addWidget(self.form)

    def validatePage(self) -> bool:
        errors = core.check_page(self.key, self.wiz.values(), existing_villages=set(self.wiz.state["villages"]))
        return _page_errors(self.form, errors, self.errors)


class StationPage(_FormPage):
    key = "station"

    def __init__(self, wizard: "FirstRunWizard") -> None:
        super().__init__(wizard, "本所信息", "司法所编码由县司法局统一分配；简称用于案件编号，如（2026）临人调字第1号。", [
            Field("code", "司法所编码", required=True, placeholder="如 340621101"),
            Field("name", "司法所名称", required=True, placeholder="如 临涣镇司法所"),
            Field("county", "所属县（市、区）", placeholder="如 濉溪县"),
            Field("abbr", "简称", placeholder="用于案件编号，如 临")])
        self.restored = _note("", "草稿提示")
        self.restored.setStyleSheet(OK_STYLE)
        self.restored.hide()
        self.lay.insertWidget(0, self.restored)
        self.manual = QRadioButton("手工填写")
        self.from_hub = QRadioButton("从县级平台获取")
        for b in (self.manual, self.from_hub):
            b.setAccessibleName(b.text())
        group = QButtonGroup(self)
        group.addButton(self.manual)
        group.addButton(self.from_hub)
        self.manual.setChecked(True)
        choice = QHBoxLayout()
        choice.addWidget(self.manual)
        choice.addWidget(self.from_hub)
        choice.addStretch(1)
        self.lay.insertLayout(1, choice)
        self.hub = FieldForm([Field("hub_url", "县级平台地址", placeholder="如 https://sfj.example.gov.cn"),
                              Field("hub_token", "设备令牌", placeholder="县司法局登记本机后给出的令牌")])
        self.hub.inputs["hub_token"].setEchoMode(QLineEdit.EchoMode.Password)  # type: ignore[attr-defined]
        self.hub.changed.connect(wizard.changed)
        self.fetch = QPushButton("获取本所信息")
        self.fetch.setAccessibleName("获取本所信息")
        self.fetch.clicked.connect(self.fetch_from_hub)
        self.hub_result = _note("", "获取结果")
        self.hub_box = QWidget()
        hl = QVBoxLayout(self.hub_box)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.hub)
        row = QHBoxLayout()
        row.addWidget(self.fetch)
        row.addWidget(self.hub_result, 1)
        hl.addLayout(row)
        self.lay.insertWidget(2, self.hub_box)
        self.hub_box.setVisible(False)
        self.from_hub.toggled.connect(self.hub_box.setVisible)
        self.from_hub.toggled.connect(wizard.changed)
        self.lay.addStretch(1)

    def fetch_from_hub(self) -> None:
        """Sign this device in with the hub, then one sync: the station's identity and villages come down."""
        url, token = self.hub.value("hub_url"), self.hub.value("hub_token")
        errors = []
        if not url:
            errors.append(FieldError("hub_url", "县级平台地址", "不能为空", "required"))
        if not token:
            errors.append(FieldError("hub_token", "设备令牌", "不能为空", "required"))
        self.hub.show_errors(errors)
        if errors:
            return
        self.fetch.setEnabled(False)
        self.hub_result.setStyleSheet(NOTE_STYLE)
        self.hub_result.setText("正在连接县级平台…")

        def op(st: Any) -> dict[str, Any]:
            from station.sync import login
            from station.sync.run import run_sync
            login(st, url, token)
            result = run_sync(st)
            return {"sync": result.summary(), "ok": result.ok, "station": st.reference.station_info(),
                    "villages": [v["name"] for v in st.reference.list_reference("village")],
                    "settings": st.reference.get_settings()}
        self.wiz.worker.run(op, self._fetched, self._fetch_failed)

    def _fetched(self, got: dict[str, Any]) -> None:
        self.fetch.setEnabled(True)
        info = got["station"] or {}
        if info:
            self.form.set_values({k: info.get(k) or "" for k in ("code", "name", "county", "abbr")})
            self.form.clear_errors()
            self.errors.hide()
        self.wiz.state["villages"] = got["villages"]
        self.wiz.state["settings"] = got["settings"]
        villages = f"，村（社区）{len(got['villages'])} 个" if got["villages"] else ""
        if info:
            self.hub_result.setStyleSheet(OK_STYLE)
            self.hub_result.setText(f"已从县级平台获取：{info['name']}（{info['code']}）{villages}。{got['sync']}")
        else:
            self.hub_result.setStyleSheet(ERROR_STYLE)
            self.hub_result.setText(f"已登录县级平台，但平台上还没有本所信息，请手工填写。{got['sync']}")
        self.wiz.changed()

    def _fetch_failed(self, exc: BaseException) -> None:
        self.fetch.setEnabled(True)
        self.hub_result.setStyleSheet(ERROR_STYLE)
        self.hub_result.setText(f"获取失败：{exc}")


class ChiefPage(_FormPage):
    key = "chief"

    def __init__(self, wizard: "FirstRunWizard") -> None:
        super().__init__(wizard, "站长账号", "所长（站长）账号可以管理其他账号和全部设置。密码至少8位，请牢记。", [
            Field("username", "用户名", required=True, placeholder="小写字母开头，如 zhangsan"),
            Field("chief_name", "姓名", required=True),
            Field("password", "密码", required=True),
            Field("password2", "再次输入密码", required=True)])
        for key in ("password", "password2"):
            self.form.inputs[key].setEchoMode(QLineEdit.EchoMode.Password)  # type: ignore[attr-defined]
            self.form.inputs[key].textChanged.connect(self._strength)  # type: ignore[attr-defined]
        self.strength = _note("", "密码强度")
        self.lay.addWidget(self.strength)
        self.lay.addStretch(1)
        self._strength()

    def _strength(self, *_a: Any) -> None:
        pw, pw2 = self.form.value("password"), self.form.value("password2")
        kinds = sum(any(f(c) for c in pw) for f in (str.islower, str.isupper, str.isdigit,
                                                    lambda c: not c.isalnum()))
        if not pw:
            text, style = f"密码至少{core.accounts.MIN_PASSWORD}位。", NOTE_STYLE
        elif len(pw) < core.accounts.MIN_PASSWORD:
            text, style = f"密码太短：{len(pw)}位，至少{core.accounts.MIN_PASSWORD}位。", ERROR_STYLE
        else:
            level = "强" if len(pw) >= 12 and kinds >= 3 else "中" if kinds >= 2 else "弱（建议混用字母、数字和符号）"
            text, style = f"密码强度：{level}。", OK_STYLE if kinds >= 2 else NOTE_STYLE
        if pw2 and pw2 != pw:
            text, style = text + "两次输入的密码不一致。", ERROR_STYLE
        self.strength.setText(text)
        self.strength.setStyleSheet(style)


class VillagesPage(_FormPage):
    key = "villages"

    def __init__(self, wizard: "FirstRunWizard") -> None:
        super().__init__(wizard, "村（社区）", "每行一个村（社区）；也可以从 Excel 复制“名称、编码”两列粘贴进来（有表头也可以）。", [
            Field("villages", "村（社区）名单", "text", placeholder="南坪村\n五沟村\n临涣社区", height=110)])
        self.existing = _note("", "已有村（社区）")
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("将要添加的村（社区）")
        self.table.setHorizontalHeaderLabels(["名称", "编码", "类型", "处理"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for c in range(3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.count = _note("", "预览说明")
        self.lay.addWidget(self.existing)
        self.lay.addWidget(QLabel("预览："))
        self.lay.addWidget(self.table, 1)
        self.lay.addWidget(self.count)
        self.form.inputs["villages"].textChanged.connect(self.preview)  # type: ignore[attr-defined]

    def initializePage(self) -> None:
        have = self.wiz.state["villages"]
        self.existing.setText(f"本所已有 {len(have)} 个：{'、'.join(have[:12])}{'等' if len(have) > 12 else ''}"
                              if have else "")
        self.existing.setVisible(bool(have))
        self.preview()

    def preview(self) -> None:
        rows = core.parse_villages(self.form.value("villages"), set(self.wiz.state["villages"]))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            status = STATUS[row["status"]] + (f"：{row['problem']}" if row["problem"] else "")
            for c, v in enumerate((row["name"], row["code"], KINDS[row["kind"]], status)):
                item = QTableWidgetItem(v)
                if row["status"] == "error":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        new = sum(r["status"] == "new" for r in rows)
        bad = sum(r["status"] == "error" for r in rows)
        self.count.setText(f"将新增 {new} 个" + (f"，{bad} 行有误" if bad else "") +
                           ("。也可以以后在“设置”里添加。" if not rows else "。"))


class NumberingPage(_FormPage):
    key = "numbering"

    def __init__(self, wizard: "FirstRunWizard") -> None:
        super().__init__(wizard, "编号格式", "人民调解案件的文书编号。占位符：{year} 年份，{abbr} 简称，{seq} 序号，{device} 设备编号。", [
            Field("case_number_format", "案件编号格式", required=True)])
        self.example = QLabel()
        self.example.setAccessibleName("下一个案件编号")
        self.example.setStyleSheet("font-size: 13pt;")
        self.lay.addWidget(self.example)
        self.lay.addStretch(1)
        self.form.inputs["case_number_format"].textChanged.connect(self.show_example)  # type: ignore[attr-defined]

    def initializePage(self) -> None:
        self.show_example()

    def show_example(self, *_a: Any) -> None:
        values = self.wiz.values()
        try:
            text = core.next_case_number(values["case_number_format"], self.wiz.state["settings"],
                                         values.get("abbr") or values.get("name", "")[:2])
            self.example.setStyleSheet("font-size: 13pt;" + OK_STYLE)
            self.example.setText(f"下一个案件编号：{text}")
        except ValidationError as e:
            self.example.setStyleSheet("font-size: 13pt;" + ERROR_STYLE)
            self.example.setText(f"无法生成示例：{e.errors[0].message}")


class BackupPage(_FormPage):
    key = "backup"

    def __init__(self, wizard: "FirstRunWizard") -> None:
        super().__init__(wizard, "备份", "每天自动备份一次。建议选 U 盘或另一块硬盘上的文件夹，电脑坏了数据也还在。", [
            Field("backup_dir", "备份文件夹", placeholder="留空：数据文件夹下的 backups"),
            Field("backup_keep", "保留份数", placeholder="如 7（保留最近7份）")])
        pick = QPushButton("选择文件夹…")
        pick.setAccessibleName(pick.text())
        pick.clicked.connect(self.pick)
        self.lay.addWidget(pick, 0, Qt.AlignmentFlag.AlignLeft)
        self.lay.addStretch(1)

    def pick(self) -> None:
        start = self.form.value("backup_dir") or self.wiz.state["data_dir"]
        folder = QFileDialog.getExistingDirectory(self, "选择备份文件夹", start)
        if folder:
            self.form.set_value("backup_dir", folder)
            self.wiz.changed()


class RecoveryPage(QWizardPage):
    """The encrypted database's recovery code, shown once; the user confirms writing it down."""

    def __init__(self, wizard: "FirstRunWizard", code: str) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("恢复码")
        self.setSubTitle("本所数据已加密保存。电脑重装或更换后，只有凭这个恢复码才能打开数据。")
        self.code = QLabel(code)
        self.code.setAccessibleName("恢复码")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(["DejaVu Sans Mono", "Monospace"])
        font.setPointSize(18)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setStyleSheet("font-size: 18pt; padding: 12px; border: 1px solid #888; background: #fff;")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confirm = QCheckBox("我已抄写/打印")
        self.confirm.setAccessibleName("我已抄写/打印")
        self.confirm.toggled.connect(self._confirmed)
        lay = QVBoxLayout(self)
        lay.addWidget(_note("请现在抄写或打印，交所长保管，放在安全的地方（不要存放在这台电脑上）。"
                            "恢复码只显示这一次，程序不保存它。抄好后请勾选下面一项。"))
        lay.addWidget(self.code)
        lay.addWidget(self.confirm)
        lay.addStretch(1)

    def _confirmed(self, on: bool) -> None:
        emit(self.completeChanged)
        if on:  # remembered at once: a code the user has on paper must never be replaced by a new one
            self.wiz.worker.run(lambda st: st.reference.put_setting("recovery_code_confirmed", True),
                                None, lambda _e: None)

    def isComplete(self) -> bool:
        return self.confirm.isChecked()


class DonePage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("完成")
        self.setSubTitle("请核对。点“完成”后一次性保存全部设置。")
        self.summary = QLabel()
        self.summary.setAccessibleName("设置摘要")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.errors = _error_label("完成错误")
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.errors)
        lay.addStretch(1)

    def initializePage(self) -> None:
        v, state = self.wiz.values(), self.wiz.state
        rows = core.parse_villages(v["villages"], set(state["villages"]))
        new = [r["name"] for r in rows if r["status"] == "new"]
        try:
            number = core.next_case_number(v["case_number_format"], state["settings"], v["abbr"] or v["name"][:2])
        except ValidationError:
            number = "（格式有误）"
        lines = [f"司法所：{v['name']}（编码 {v['code']}）" + (f"，{v['county']}" if v["county"] else ""),
                 f"简称：{v['abbr'] or v['name'][:2]}"]
        if self.wiz.make_chief:
            lines.append(f"站长账号：{v['username']}（{v['chief_name']}）")
        lines.append(f"新增村（社区）：{len(new)} 个" + (f"：{'、'.join(new[:10])}{'等' if len(new) > 10 else ''}"
                                                      if new else ""))
        lines.append(f"下一个案件编号：{number}")
        lines.append(f"备份：{v['backup_dir'] or str(Path(state['data_dir']) / 'backups')}，保留 {v['backup_keep']} 份")
        lines.append("数据加密：已加密（恢复码已确认抄写）" if state["encrypted"] else "数据加密：未加密")
        self.summary.setText("\n".join(lines))


class FirstRunWizard(QWizard):
    """The first-run wizard; ``applied(result)`` fires once everything is saved (and the chief signed in)."""

    applied = Signal(object)

    def __init__(self, worker: Any, bus: Any, state: dict[str, Any], parent: QWidget | None = None, *,
                 rerun: bool = False) -> None:
        super().__init__(parent)
        self.worker, self.bus, self.state, self.rerun = worker, bus, state, rerun
        self.make_chief = not state["has_accounts"]
        self.done_ok = False
        self.setObjectName("first_run_wizard")
        self.setWindowTitle("设置向导" if rerun else "首次使用设置向导")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for which, text in ((QWizard.WizardButton.NextButton, "下一步"), (QWizard.WizardButton.BackButton, "上一步"),
                            (QWizard.WizardButton.FinishButton, "完成"), (QWizard.WizardButton.CancelButton, "取消")):
            self.setButtonText(which, text)
            self.button(which).setAccessibleName(text)
        self.resize(820, 620)
        self._save_timer = single_shot_timer(self, 600)
        self._save_timer.timeout.connect(self.save_draft)
        self._loading, self._dirty, self._finishing = True, False, False
        self.station_page = StationPage(self)
        self.pages_: list[QWizardPage] = [self.station_page]
        if self.make_chief:
            self.chief_page: ChiefPage | None = ChiefPage(self)
            self.pages_.append(self.chief_page)
        else:
            self.chief_page = None
        self.villages_page = VillagesPage(self)
        self.numbering_page = NumberingPage(self)
        self.backup_page = BackupPage(self)
        self.pages_ += [self.villages_page, self.numbering_page, self.backup_page]
        if state["recovery_code"]:
            self.pages_.append(RecoveryPage(self, state["recovery_code"]))
        self.done_page = DonePage(self)
        self.pages_.append(self.done_page)
        for p in self.pages_:
            self.addPage(p)
        self._fill()
        self._loading = False

    # values and the draft -----------------------------------------------------------------------------------------
    def forms(self) -> list[FieldForm]:
        out = [self.station_page.form, self.station_page.hub, self.villages_page.form, self.numbering_page.form,
               self.backup_page.form]
        return out + ([self.chief_page.form] if self.chief_page else [])

    def values(self) -> dict[str, Any]:
        v: dict[str, Any] = {"username": "", "chief_name": "", "password": "", "password2": ""}
        for f in self.forms():
            v.update(f.values())
        v["source"] = "hub" if self.station_page.from_hub.isChecked() else "manual"
        return v

    def _fill(self) -> None:
        s, info = self.state["settings"], self.state["station"] or {}
        defaults = {**{k: info.get(k) or "" for k in ("code", "name", "county", "abbr")},
                    "case_number_format": s.get("case_number_format", ""), "backup_dir": s.get("backup_dir", ""),
                    "backup_keep": str(s.get("backup_keep", 7))}
        draft = self.state["draft"]
        data = {**defaults, **({k: v for k, v in draft["data"].items() if k not in core.SECRET_FIELDS}
                               if draft else {})}
        for f in self.forms():
            f.set_values(data)
        self.station_page.from_hub.setChecked(data.get("source") == "hub")
        if draft:
            note = f"已找回上次未完成的设置（保存于 {draft['updated_at']}），请继续填写。"
            if self.make_chief:
                note += "为了安全，密码没有保存，需要重新输入。"
            self.station_page.restored.setText(note)
            self.station_page.restored.show()
            emit(self.bus.status_shown, "已找回上次未完成的设置向导内容")

    def changed(self, *_a: Any) -> None:
        if not self._loading and not self.done_ok:
            self._dirty = True
            self._save_timer.start()

    def save_draft(self) -> None:
        """Keep what was typed (never passwords or the hub token)."""
        self._save_timer.stop()
        if self._finishing or self.done_ok:
            return  # the finishing transaction discards the draft: a late save must not bring it back
        data = {k: v for k, v in self.values().items() if k not in core.SECRET_FIELDS}
        self.worker.run(lambda st: st.drafts.save_draft(core.DRAFT_KEY, "first_run", data), None,
                        lambda _e: None)

    # finishing ----------------------------------------------------------------------------------------------------
    def validateCurrentPage(self) -> bool:
        ok = super().validateCurrentPage()
        if ok and self.currentPage() is not self.done_page:
            self.save_draft()
        return ok

    def accept(self) -> None:
        """完成: apply everything in one transaction (the draft goes in the same one), then sign the chief in."""
        if self.done_ok:
            super().accept()
            return
        data = self.values()
        make_chief = self.make_chief
        self._save_timer.stop()
        self._finishing = True
        for b in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton,
                  QWizard.WizardButton.BackButton):
            self.button(b).setEnabled(False)
        self.done_page.errors.hide()

        def op(st: Any) -> dict[str, Any]:
            result: dict[str, Any] = st.drafts.submit(core.DRAFT_KEY, "first_run", "apply", data)
            if make_chief and result["chief"]:
                st.sign_in(data["username"], data["password"])
            return result
        self.worker.run(op, self._applied, self._failed)

    def _applied(self, result: dict[str, Any]) -> None:
        self.done_ok = True
        self._save_timer.stop()
        emit(self.bus.station_changed, {"station", "village", "setting"}, None)
        who = f"，已以站长 {result['chief']} 登录" if result.get("chief") else ""
        emit(self.bus.status_shown, f"设置已保存：新增村（社区）{result['villages_added']} 个{who}")
        emit(self.applied, result)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._finishing = False
        for b in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton,
                  QWizard.WizardButton.BackButton):
            self.button(b).setEnabled(True)
        errors = getattr(exc, "errors", None)
        if not errors:
            self.done_page.errors.setText(f"保存失败：{exc}")
            self.done_page.errors.show()
            return
        # back to the first page with a problem, errors next to its fields
        for page in self.pages_:
            form = getattr(page, "form", None)
            if form is not None and any(e.field in form.inputs for e in errors):
                while self.currentPage() is not page and self.currentId() > 0:
                    self.back()
                _page_errors(form, [e for e in errors if e.field in form.inputs], page.errors)  # type: ignore
                return
        self.done_page.errors.setText("保存失败：" + "；".join(str(e) for e in errors))
        self.done_page.errors.show()

    def reject(self) -> None:
        if self._finishing:
            return  # saving: wait for the answer (Esc must not close the wizard halfway through)
        if not self.done_ok and self._dirty:
            self.save_draft()
            emit(self.bus.status_shown, "设置向导已关闭：所填内容已保存，下次启动时继续")
        super().reject()
