"""同步: connect to the county hub, sync now (progress, cancel), see what waits, settle conflicts.

The network work runs on the sync controller's thread; conflicts are listed and
resolved on the DB worker like any local write. Personal data in the conflict
comparison is masked, as on every other screen.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.errors import FieldError

from ..qtcompat import emit
from ..widgets.sync_indicator import local_time
from ..widgets.field_form import ERROR_STYLE, Field, FieldForm
from .base import OK_STYLE, Page, form_column, split_layout, title_label

PHASES = {"upload": "上传", "download": "下载", "verify": "核对"}
DIFF_BRUSH = QBrush(QColor("#fff3cd"))


def _button(text: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text)
    return b


def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


#: search helpers derived from other fields (reversed phone/ID, pinyin initials): never shown, they hold
#: personal data in another form and differ whenever their source does
DERIVED = frozenset({"initials", "id_rev", "phone_rev"})


def conflict_rows(conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Conflicts ready to show (runs on the DB thread): Chinese field names and values, personal data masked.

    Rows: the fields that differ (highlighted), then the other named fields for context.
    """
    from station import codes
    from station.masking import mask_address, mask_id, mask_name, mask_phone
    from station.services import consultations, mediation, people, visits
    from station.sync.conflicts import SYNC_COLUMNS
    from station.validation import ID_TYPES

    labels: dict[str, str] = {"deleted": "已删除", "notes": "备注", "status": "状态", "number": "编号",
                              "occupation": "职业", "household_size": "家庭人口", "merged_into": "已合并到",
                              "outcome": "调解结果", "kind": "类别"}
    for module in (visits, mediation, consultations, people):
        labels.update(module.LABELS)  # type: ignore[attr-defined]
    values: dict[str, dict[str, str]] = {
        "channel": codes.CHANNELS, "handling": codes.HANDLINGS, "referral_target": codes.REFERRAL_TARGETS,
        "referral_status": codes.REFERRAL_STATUSES, "satisfaction": codes.SATISFACTION,
        "source": codes.CASE_SOURCES, "status": codes.CASE_STATUSES, "outcome": codes.OUTCOMES,
        "mode": codes.VISIT_MODES, "service_types": codes.SERVICE_TYPES, "special_groups": codes.SPECIAL_GROUPS,
        "id_type": {**ID_TYPES, "none": "无"}}
    person_kinds = {"person": "自然人", "org": "单位"}
    masks = {"id_number": mask_id, "phone": mask_phone, "address": mask_address}

    def shown(kind: str, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        names = person_kinds if key == "kind" and kind == "person" else values.get(key, {})
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "、".join(names.get(v, v) for v in value)
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False)[:120]
        text = str(value)
        if key in masks:
            return masks[key](text)
        if key in ("name", "representative") and kind == "person":
            return mask_name(text)
        return names.get(text, text)

    out = []
    for c in conflicts:
        differ = [k for k in c["fields"] if k not in DERIVED]
        same = sorted((k for k in set(c["mine"]) | set(c["theirs"])
                       if k in labels and k not in SYNC_COLUMNS and k not in DERIVED and k not in differ),
                      key=lambda k: (k not in ("name", "title", "number"), k))  # what identifies it first
        out.append({
            "id": c["id"], "kind": c["kind"], "label": c["label"], "uid": c["uid"],
            "mine_version": c["mine_version"], "theirs_version": c["theirs_version"],
            "detected_at": local_time(c["detected_at"]),
            "fields": [labels.get(k, k) for k in differ],
            "rows": [(labels.get(k, k), shown(c["kind"], k, c["mine"].get(k)), shown(c["kind"], k, c["theirs"].get(k)),
                      k in differ) for k in differ + same],
        })
    return out


class SyncPage(Page):
    TITLE = "同步"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.sync: Any = None
        self.conflicts: list[dict[str, Any]] = []
        self._was_running = False
        # connection ---------------------------------------------------------------------------
        self.form = FieldForm([
            Field("hub_url", "县级平台地址", required=True, placeholder="如 http://10.0.0.5:8750"),
            Field("token", "设备令牌", required=True, placeholder="由县级管理员签发"),
            Field("token_file", "令牌文件"),
        ])
        token = self.form.inputs["token"]
        assert isinstance(token, QLineEdit)
        token.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyring_note = _label("密钥环提示")
        self.keyring_note.setStyleSheet(ERROR_STYLE)
        self.keyring_note.hide()
        self.use_file = QCheckBox("改用文件保存令牌（明文，仅当前用户可读）")
        self.use_file.setAccessibleName("改用文件保存令牌")
        self.use_file.hide()
        self.use_file.toggled.connect(lambda on: self.form.set_visible("token_file", on))
        self.form.set_visible("token_file", False)
        self.connect_button = _button("连接")
        self.connect_button.clicked.connect(self.connect_hub)
        self.connected = _label("连接状态", "正在读取…")
        self.connect_result = _label("连接结果")
        box = QGroupBox("县级平台")
        lay = QVBoxLayout(box)
        for w in (self.connected, self.form, self.keyring_note, self.use_file, self.connect_button,
                  self.connect_result):
            lay.addWidget(w)
        # sync ---------------------------------------------------------------------------------
        self.sync_button = _button("立即同步")
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = _button("取消")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("同步进度")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.phase = _label("同步阶段")
        self.pending = _label("待上传记录")
        self.last_success = _label("上次成功同步")
        self.error = _label("同步错误")
        self.error.setStyleSheet(ERROR_STYLE)
        self.result = _label("上次同步结果")
        sbox = QGroupBox("同步")
        sl = QVBoxLayout(sbox)
        sl.addLayout(buttons)
        for w in (self.progress, self.phase, self.pending, self.last_success, self.error, self.result):
            sl.addWidget(w)
        note = QLabel("打开程序时、每隔一段时间、网络恢复时都会自动同步；也可随时点“立即同步”。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        sl.addWidget(note)
        entry = form_column("同步", box, sbox)
        # conflicts ------------------------------------------------------------------------------
        self.conflict_list = QTableWidget(0, 4)
        self.conflict_list.setAccessibleName("冲突列表")
        self.conflict_list.setHorizontalHeaderLabels(["记录类型", "不同的内容", "发现时间", "版本（本机/平台）"])
        self.conflict_list.verticalHeader().hide()
        self.conflict_list.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.conflict_list.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.conflict_list.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        lh = self.conflict_list.horizontalHeader()
        for col in (0, 2, 3):
            lh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        lh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.conflict_list.setMinimumHeight(140)
        self.conflict_list.itemSelectionChanged.connect(self._show_conflict)
        self.no_conflicts = _label("冲突说明", "没有待处理的冲突。")
        self.compare = QTableWidget(0, 3)
        self.compare.setAccessibleName("冲突对比")
        self.compare.setHorizontalHeaderLabels(["内容", "本机版本", "县级平台版本"])
        self.compare.verticalHeader().hide()
        self.compare.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.compare.setWordWrap(True)
        header = self.compare.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.keep_mine = _button("保留本机版本")
        self.keep_mine.clicked.connect(lambda: self.resolve("mine"))
        self.take_theirs = _button("采用平台版本")
        self.take_theirs.clicked.connect(lambda: self.resolve("theirs"))
        self.resolve_result = _label("冲突处理结果")
        choose = QHBoxLayout()
        choose.addWidget(self.keep_mine)
        choose.addWidget(self.take_theirs)
        choose.addStretch(1)
        listing = QWidget()
        ll = QVBoxLayout(listing)
        ll.addWidget(title_label("同步冲突"))
        hint = QLabel("同一条记录在本机和其他设备上都被修改过。请对比两个版本（不同处已标黄），选择保留哪一个；"
                      "未选择前两个版本都保留，不会被覆盖。")
        hint.setWordWrap(True)
        ll.addWidget(hint)
        ll.addWidget(self.no_conflicts)
        ll.addWidget(self.conflict_list, 1)
        ll.addWidget(self.compare, 2)
        ll.addLayout(choose)
        ll.addWidget(self.resolve_result)
        self._enable_choice()
        split_layout(self, entry, listing)
        self.form.set_value("token_file", "")

    # wiring ----------------------------------------------------------------------------------
    def attach_sync(self, controller: Any) -> None:
        """Called by the main window: the controller that runs syncs in the background."""
        self.sync = controller
        controller.changed.connect(self._state)
        controller.progressed.connect(self._progress)
        controller.finished.connect(self._finished)
        controller.check_keyring(self._keyring)
        self._state(controller.state)
        controller.refresh()
        self.load_conflicts()

    def set_reference(self, ref: dict[str, Any]) -> None:
        self.ref = ref

    def activate(self) -> None:
        if self.sync is not None:
            self.sync.refresh()
        self.load_conflicts()

    def refresh(self, kinds: set[str]) -> None:
        self.load_conflicts()

    def _keyring(self, usable: bool) -> None:
        if usable:
            return
        self.keyring_note.setText("本机没有可用的系统密钥环（keyring），无法安全保存设备令牌。"
                                  "如确需继续，请勾选“改用文件保存令牌”并填写文件位置：令牌将以明文保存在该文件中，"
                                  "仅当前用户可读。请把该文件放在他人无法访问的位置。")
        self.keyring_note.show()
        self.use_file.show()
        if not self.form.value("token_file") and self.worker.station is not None:
            self.form.set_value("token_file", str(Path(self.worker.station.data_dir) / "hub.token"))

    # connection ------------------------------------------------------------------------------
    def connect_hub(self) -> None:
        values = self.form.values()
        url, token = (values.get("hub_url") or "").strip(), (values.get("token") or "").strip()
        token_file = (values.get("token_file") or "").strip() if self.use_file.isChecked() else None
        errors = []
        if not url:
            errors.append(FieldError("hub_url", "县级平台地址", "请填写县级平台地址"))
        elif not url.startswith(("http://", "https://")):
            errors.append(FieldError("hub_url", "县级平台地址", "地址应以 http:// 或 https:// 开头"))
        if not token:
            errors.append(FieldError("token", "设备令牌", "请填写县级管理员签发的设备令牌"))
        if self.use_file.isChecked() and not token_file:
            errors.append(FieldError("token_file", "令牌文件", "请填写保存令牌的文件位置"))
        self.form.clear_errors()
        if errors:
            self.form.show_errors(errors)
            return
        if self.sync is None:
            return
        self.connect_button.setEnabled(False)
        self.connect_result.setStyleSheet("")
        self.connect_result.setText("正在连接县级平台…")
        self.sync.login(url, token, token_file, self._connected, self._connect_failed)

    def _connected(self, info: dict[str, Any]) -> None:
        self.connect_button.setEnabled(True)
        where = "文件" if info["storage"] == "file" else "系统密钥环"
        self.connect_result.setStyleSheet(OK_STYLE)
        self.connect_result.setText(f"已连接：司法所 {info['station']}，本机设备编号 {info['device_no']}；"
                                    f"令牌已保存在{where}中。")
        self.form.set_value("token", "")
        emit(self.bus.status_shown, "已连接县级平台")

    def _connect_failed(self, exc: BaseException) -> None:
        from station.sync.errors import SyncError, plain_message
        self.connect_button.setEnabled(True)
        self.connect_result.setStyleSheet(ERROR_STYLE)
        if isinstance(exc, SyncError):
            text = plain_message(exc.code, exc.message, exc.status)
            if exc.code == "no_keyring":
                self._keyring(False)
                text += "。如确需继续，请勾选“改用文件保存令牌”"
        else:
            text = f"连接未完成（{type(exc).__name__}）"
        self.connect_result.setText("未连接：" + text)

    # sync --------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.sync is None:
            return
        if not self.sync.state["logged_in"]:
            self.error.setText("本机尚未连接县级平台：请先填写平台地址和设备令牌，点“连接”")
            self.error.show()
            return
        if not self.sync.sync_now("manual"):
            emit(self.bus.status_shown, "正在同步，请稍候")

    def cancel(self) -> None:
        if self.sync is not None:
            self.sync.cancel()
            self.phase.setText("正在取消…（已完成的部分会保留）")

    def _state(self, s: dict[str, Any]) -> None:
        running = bool(s.get("running"))
        self.sync_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running and not self._was_running:
            self.progress.setRange(0, 0)  # busy until the first progress report
            self.phase.setText("正在连接县级平台…")
            self.result.setText("")
        self._was_running = running
        if s.get("logged_in"):
            self.connected.setStyleSheet(OK_STYLE)
            self.connected.setText(f"已连接县级平台：{s.get('hub_url')}")
            if not self.form.value("hub_url"):
                self.form.set_value("hub_url", s.get("hub_url") or "")
        else:
            self.connected.setStyleSheet("")
            self.connected.setText("尚未连接县级平台：请填写平台地址和设备令牌，点“连接”。")
        pending = s.get("pending")
        self.pending.setText("" if pending is None else f"待上传：{pending:,} 条")
        last = local_time(s.get("last_success_at"))
        self.last_success.setText(f"上次成功同步：{last}" if last else "上次成功同步：从未")
        error = s.get("error") or ""
        self.error.setText(error)
        self.error.setVisible(bool(error))

    def _progress(self, phase: str, done: int, total: int) -> None:
        if total <= 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self.phase.setText(f"正在{PHASES.get(phase, phase)}：{done:,}/{total:,}" if total else
                           f"正在{PHASES.get(phase, phase)}…")

    def _finished(self, res: Any) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if res.status == "ok" else 0)
        names = {"ok": "同步完成", "cancelled": "同步已取消，已完成的部分已保存", "busy": "另一个同步正在进行",
                 "error": "同步未完成"}
        self.phase.setText(names.get(res.status, res.status))
        self.result.setText(f"{local_time(res.started_at)}：{res.summary()}" if res.ok else "")
        self.load_conflicts()

    # conflicts -----------------------------------------------------------------------------------
    def load_conflicts(self) -> None:
        from station.sync import list_conflicts
        self.worker.run(lambda st: conflict_rows(list_conflicts(st)), self._conflicts_loaded)

    def _conflicts_loaded(self, rows: list[dict[str, Any]]) -> None:
        chosen = self._current()
        self.conflicts = rows
        t = self.conflict_list
        t.blockSignals(True)
        t.setRowCount(len(rows))
        for r, c in enumerate(rows):
            for col, text in enumerate([c["label"], "、".join(c["fields"]) or "（内容相同）", c["detected_at"],
                                        f"第{c['mine_version']}版 / 第{c['theirs_version']}版"]):
                t.setItem(r, col, QTableWidgetItem(text))
        t.blockSignals(False)
        self.no_conflicts.setText("没有待处理的冲突。" if not rows else f"有 {len(rows)} 条冲突待处理：")
        ids = [c["id"] for c in rows]
        if rows:
            t.selectRow(ids.index(chosen["id"]) if chosen and chosen["id"] in ids else 0)
        self._show_conflict()

    def _current(self) -> dict[str, Any] | None:
        rows = self.conflict_list.selectionModel().selectedRows() if self.conflict_list.selectionModel() else []
        if not rows or rows[0].row() >= len(self.conflicts):
            return None
        return self.conflicts[rows[0].row()]

    def _show_conflict(self) -> None:
        c = self._current()
        t = self.compare
        t.setRowCount(0 if c is None else len(c["rows"]))
        if c is not None:
            t.setHorizontalHeaderLabels(["内容", f"本机版本（第{c['mine_version']}版）",
                                         f"县级平台版本（第{c['theirs_version']}版）"])
            bold = QFont(t.font())
            bold.setBold(True)
            for r, (label, mine, theirs, differs) in enumerate(c["rows"]):
                for col, text in enumerate((label, mine, theirs)):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    if differs:
                        item.setBackground(DIFF_BRUSH)
                        item.setFont(bold)
                    t.setItem(r, col, item)
            t.resizeRowsToContents()
        self._enable_choice()

    def _enable_choice(self) -> None:
        on = self._current() is not None
        self.keep_mine.setEnabled(on)
        self.take_theirs.setEnabled(on)

    def resolve(self, choice: str) -> None:
        c = self._current()
        if c is None:
            return
        from station.sync import resolve_conflict
        cid, kind = c["id"], c["kind"]
        self.keep_mine.setEnabled(False)
        self.take_theirs.setEnabled(False)

        def done(_r: Any) -> None:
            which = "本机版本" if choice == "mine" else "县级平台版本"
            self.resolve_result.setStyleSheet(OK_STYLE)
            self.resolve_result.setText(f"已采用{which}（{c['label']}），正在同步给其他设备。")
            emit(self.bus.station_changed, {kind}, self)
            self.load_conflicts()
            if self.sync is not None:
                self.sync.refresh()
                self.sync.sync_now("resolved")

        def failed(exc: BaseException) -> None:
            self.resolve_result.setStyleSheet(ERROR_STYLE)
            self.resolve_result.setText(f"未处理：{exc}")
            self.load_conflicts()
        self.worker.run(lambda st: resolve_conflict(st, cid, choice), done, failed)
