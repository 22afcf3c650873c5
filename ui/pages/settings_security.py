"""设置 → 锁屏、数据备份、账号管理 (the security part of the settings page, kept in its own widget).

Lock minutes, the backup folder and how many scheduled backups to keep are this
device's settings (ui.json beside the database), read and written through the
window's :class:`ui.session.SessionController`. Backups and accounts go through
the core on the DB thread; the core decides who may (backup: 数据 permission,
accounts: 账号管理, both the chief's).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from station import codes

from ..qtcompat import emit
from ..session import role_names
from ..widgets.field_form import Field, FieldForm
from .base import OK_STYLE

ERROR_STYLE = "color: #b3261e;"


def _button(text: str, slot: Any) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text)
    b.clicked.connect(slot)
    return b


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


class SecuritySection(QWidget):
    """锁屏 + 数据备份 (+ 账号管理 for the chief), inserted into the settings page."""

    def __init__(self, worker: Any, bus: Any) -> None:
        super().__init__()
        self.worker, self.bus = worker, bus
        # lock ---------------------------------------------------------------------------------------
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(1, 240)
        self.lock_minutes.setSuffix(" 分钟")
        self.lock_minutes.setAccessibleName("无操作自动锁屏")
        lock_box = QGroupBox("锁屏")
        ll = QVBoxLayout(lock_box)
        row = QHBoxLayout()
        row.addWidget(QLabel("无操作自动锁屏："))
        row.addWidget(self.lock_minutes)
        row.addStretch(1)
        ll.addLayout(row)
        ll.addWidget(QLabel("离开柜台时可随时按 Ctrl+L 锁屏；解锁需要本人密码。"))
        ll.addWidget(_button("保存锁屏设置", self.save_lock))
        # backup -------------------------------------------------------------------------------------
        self.folder = QLabel()
        self.folder.setAccessibleName("备份文件夹")
        self.folder.setWordWrap(True)
        self.keep = QSpinBox()
        self.keep.setRange(1, 365)
        self.keep.setSuffix(" 份")
        self.keep.setAccessibleName("自动备份保留份数")
        self.result = QLabel()
        self.result.setAccessibleName("备份结果")
        self.result.setWordWrap(True)
        self._chosen_folder: str | None = None
        backup_box = QGroupBox("数据备份")
        bl = QVBoxLayout(backup_box)
        bl.addWidget(QLabel("程序运行时每天自动备份一次（加密的数据库备份后仍是加密的）。"))
        r1 = QHBoxLayout()
        r1.addWidget(QLabel("备份文件夹："))
        r1.addWidget(self.folder, 1)
        r1.addWidget(_button("选择文件夹…", self.choose_folder))
        bl.addLayout(r1)
        r2 = QHBoxLayout()
        r2.addWidget(QLabel("自动备份保留："))
        r2.addWidget(self.keep)
        r2.addStretch(1)
        r2.addWidget(_button("保存备份设置", self.save_backup_prefs))
        bl.addLayout(r2)
        r3 = QHBoxLayout()
        self.backup_now = _button("立即备份", self.make_backup)
        r3.addWidget(self.backup_now)
        self.restore_button = _button("从备份恢复…", self.choose_backup)
        r3.addWidget(self.restore_button)
        r3.addStretch(1)
        bl.addLayout(r3)
        bl.addWidget(self.result)
        # accounts (chief) ---------------------------------------------------------------------------
        self.accounts = QTableWidget(0, 4)
        self.accounts.setAccessibleName("账号列表")
        self.accounts.setHorizontalHeaderLabels(["用户名", "角色", "状态", "最近登录"])
        self.accounts.verticalHeader().hide()
        self.accounts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.accounts.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.accounts.horizontalHeader().setStretchLastSection(True)
        self.accounts.setMinimumHeight(120)
        self.account_form = FieldForm([
            Field("username", "新账号用户名", required=True, placeholder="小写字母开头，如 wangli"),
            Field("name", "新账号姓名", required=True),
            Field("password", "初始密码", required=True, placeholder="至少8位"),
            Field("roles", "新账号角色", "multi", codes.STAFF_ROLES, required=True, extra={"columns": 2})])
        pw = self.account_form.inputs["password"]
        pw.setEchoMode(pw.EchoMode.Password)
        self.account_note = QLabel()
        self.account_note.setAccessibleName("账号操作结果")
        self.account_note.setWordWrap(True)
        self.accounts_box = QGroupBox("账号管理（所长）")
        al = QVBoxLayout(self.accounts_box)
        al.addWidget(self.accounts)
        r4 = QHBoxLayout()
        r4.addWidget(_button("停用所选账号", lambda: self.set_active(False)))
        r4.addWidget(_button("启用所选账号", lambda: self.set_active(True)))
        r4.addWidget(_button("重设所选账号密码", self.reset_password))
        r4.addStretch(1)
        al.addLayout(r4)
        al.addWidget(self.account_form)
        al.addWidget(_button("添加账号", self.add_account))
        al.addWidget(self.account_note)
        # own password (any signed-in account) ------------------------------------------------------
        self.own_form = FieldForm([Field("old", "原密码", required=True), Field("new", "新密码", required=True),
                                   Field("again", "再输入一次新密码", required=True)])
        for w in self.own_form.inputs.values():
            w.setEchoMode(w.EchoMode.Password)
        self.own_note = QLabel()
        self.own_note.setAccessibleName("修改密码结果")
        self.own_box = QGroupBox("修改本人密码")
        ol = QVBoxLayout(self.own_box)
        ol.addWidget(self.own_form)
        ol.addWidget(_button("修改密码", self.change_own_password))
        ol.addWidget(self.own_note)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(lock_box, 0, 0)
        lay.addWidget(backup_box, 1, 0)
        lay.addWidget(self.own_box, 2, 0)
        lay.addWidget(self.accounts_box, 0, 1, 4, 1)
        lay.setRowStretch(3, 1)
        lay.setColumnStretch(0, 1)
        lay.setColumnStretch(1, 1)
        self._account_rows: list[dict[str, Any]] = []

    # the device settings live on the window's session controller ------------------------------------
    def _session(self) -> Any:
        return getattr(self.window(), "session", None)

    def showEvent(self, e: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(e)
        self.load()

    def load(self) -> None:
        s = self._session()
        if s is None:
            return
        self.lock_minutes.setValue(s.lock_minutes)
        def shown(r: tuple[Any, int]) -> None:
            self.folder.setText(str(r[0]))
            self.keep.setValue(r[1])
        self.worker.run(s.backup_settings, shown)
        account = s.account
        from station.security import permissions as perms
        held = perms.granted(account["roles"]) if account else None  # None: no accounts, no limits

        def can(perm: str) -> bool:
            return held is None or perm in held
        for w in (self.lock_minutes, self.keep):
            w.setEnabled(can(perms.SETTINGS))
        self.backup_now.setEnabled(can(perms.DATA))
        self.restore_button.setEnabled(can(perms.DATA))
        self.accounts_box.setVisible(held is not None and perms.ACCOUNTS in held)
        self.own_box.setVisible(account is not None)
        if self.accounts_box.isVisible():
            self.load_accounts()

    def save_lock(self) -> None:
        s = self._session()
        if s is not None:
            s.set_lock_minutes(self.lock_minutes.value())
            emit(self.bus.status_shown, f"无操作 {self.lock_minutes.value()} 分钟后自动锁屏")

    def choose_folder(self) -> None:
        dlg = QFileDialog(self, "选择备份文件夹", self.folder.text())
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dlg.fileSelected.connect(self._folder_chosen)
        dlg.open()

    def _folder_chosen(self, path: str) -> None:
        if path:
            self._chosen_folder = path
            self.folder.setText(path)

    def save_backup_prefs(self) -> None:
        s = self._session()
        if s is None:
            return
        s.set_backup_prefs(self._chosen_folder, self.keep.value(),
                           lambda _r: emit(self.bus.status_shown, "备份设置已保存"),
                           lambda e: emit(self.bus.error_raised, e))

    # backup now -------------------------------------------------------------------------------------
    def make_backup(self) -> None:
        s = self._session()
        self.result.setStyleSheet("")
        self.result.setText("正在备份…")
        self.backup_now.setEnabled(False)
        chosen = self._chosen_folder

        def op(st: Any) -> tuple[str, int]:
            import datetime as dt

            from station.security import permissions as perms
            from station.security.backup import SUFFIX, create_backup
            st.require(perms.DATA)
            folder = Path(chosen) if chosen else (s.backup_folder(st) if s else st.data_dir / "backups")
            folder.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = create_backup(st, folder / f"station-{stamp}{SUFFIX}")
            return str(path), path.stat().st_size

        def done(r: tuple[str, int]) -> None:
            self.backup_now.setEnabled(True)
            self.last_backup = Path(r[0])
            self.result.setStyleSheet(OK_STYLE)
            self.result.setText(f"已备份到 {r[0]}（{_size(r[1])}）")

        def failed(exc: BaseException) -> None:
            self.backup_now.setEnabled(True)
            self.result.setStyleSheet(ERROR_STYLE)
            self.result.setText(f"备份未完成：{exc}")
        self.worker.run(op, done, failed)

    def change_own_password(self) -> None:
        from station.errors import FieldError, PermissionDenied, ValidationError
        s = self._session()
        account = s.account if s is not None else None
        if account is None:
            return
        d = self.own_form.values()
        self.own_form.clear_errors()
        if d["new"] != d["again"]:
            self.own_form.show_errors([FieldError("again", "再输入一次新密码", "两次输入的新密码不一致")])
            return
        username = account["username"]

        def op(st: Any) -> None:
            try:
                st.accounts.set_password(username, d["new"], d["old"])
            except PermissionDenied as e:  # 原密码不正确
                raise ValidationError([FieldError("old", "原密码", str(e))]) from None
            except ValidationError as e:
                raise ValidationError([FieldError("new", "新密码", f.message) for f in e.errors]) from None

        def done(_r: None) -> None:
            self.own_form.reset()
            self.own_note.setStyleSheet(OK_STYLE)
            self.own_note.setText("密码已修改，下次登录请用新密码")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.own_form.show_errors(exc.errors)
                self.own_note.setText("")
            else:
                emit(self.bus.error_raised, exc)
        self.worker.run(op, done, failed)

    # restore ----------------------------------------------------------------------------------------
    def choose_backup(self) -> None:
        dlg = QFileDialog(self, "选择备份文件", self.folder.text(), "备份文件 (*.stbak)")
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.fileSelected.connect(lambda p: p and self.confirm_restore(Path(p)))
        dlg.open()

    def confirm_restore(self, path: Path) -> None:
        """Ask before replacing the database (the current one is kept aside in backups/)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "从备份恢复",
                          f"用备份文件\n{path}\n替换当前数据库？\n\n"
                          "恢复前会完整校验备份；当前数据库另存到 backups 文件夹。恢复后需要重新登录。",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("restore_confirm")
        ok = box.addButton("恢复", QMessageBox.ButtonRole.AcceptRole)
        ok.setAccessibleName("确认恢复")
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        ok.clicked.connect(lambda: self.restore(path))
        box.open()
        self.confirm = box

    def restore(self, path: Path) -> None:
        """Close the station on the DB thread, restore, open the restored one in its place."""
        worker = self.worker
        self.result.setStyleSheet("")
        self.result.setText("正在校验并恢复…")

        def op(st: Any) -> dict[str, Any]:
            import hashlib
            import json
            import zipfile

            from station import Station
            from station.security import crypto
            from station.security import permissions as perms
            from station.security.backup import BackupError
            from station.security.backup import restore as restore_backup
            st.require(perms.DATA)
            folder, key = st.data_dir, st.key
            try:
                with zipfile.ZipFile(path) as z:
                    names = set(z.namelist())
                    theirs = json.loads(z.read(crypto.KEYINFO)).get("db_id") if crypto.KEYINFO in names else None
            except (zipfile.BadZipFile, OSError, ValueError) as e:
                raise BackupError(f"备份文件不完整或已损坏：{e}") from None
            ours = crypto.read_info(folder)
            if theirs is not None and (ours is None or ours.db_id != theirs):
                raise BackupError("这份备份来自另一个加密的数据库，需要它的恢复码：请退出程序，"
                                  "在命令行运行 station restore 备份文件")
            with open(path, "rb") as f:
                st.audit("restore", detail={"file_sha256": hashlib.file_digest(f, "sha256").hexdigest()})
            st.close()
            try:
                manifest = restore_backup(folder, path, key=key)
            finally:  # restored or not, a station is open again (the same key, or plain)
                worker.station = Station.open(folder, key=key if crypto.read_info(folder) is not None else None)
            return dict(manifest)

        def done(manifest: dict[str, Any]) -> None:
            note = f"已从备份恢复（备份时间 {manifest['created_at']}）。请重新登录。"
            s = self._session()
            if s is not None:
                s.after_restore(note)

        def failed(exc: BaseException) -> None:
            self.result.setStyleSheet(ERROR_STYLE)
            self.result.setText(f"未恢复：{exc}")
        worker.run(op, done, failed)

    # accounts -----------------------------------------------------------------------------------------
    def load_accounts(self) -> None:
        def op(st: Any) -> list[dict[str, Any]]:
            staff = {s["uid"]: s["name"] for s in st.reference.list_reference("staff")}
            return [{**a, "name": staff.get(a["staff_uid"], "")} for a in st.accounts.list_accounts()]
        self.worker.run(op, self._fill_accounts, self._account_failed)

    def _fill_accounts(self, rows: list[dict[str, Any]]) -> None:
        self._account_rows = rows
        t = self.accounts
        t.setRowCount(len(rows))
        for r, a in enumerate(rows):
            for c, v in enumerate([f"{a['username']}（{a['name']}）" if a["name"] else a["username"],
                                   role_names(a["roles"]), "启用" if a["active"] else "停用",
                                   a["last_login_at"] or "—"]):
                t.setItem(r, c, QTableWidgetItem(v))
        t.resizeColumnsToContents()
        t.horizontalHeader().setStretchLastSection(True)

    def _note(self, text: str, ok: bool = True) -> None:
        self.account_note.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.account_note.setText(text)

    def _account_failed(self, exc: BaseException) -> None:
        from station.errors import StationError, ValidationError
        if isinstance(exc, ValidationError):
            self.account_form.show_errors(exc.errors)
            self._note("未保存：请按提示修改", ok=False)
        elif isinstance(exc, StationError):
            self._note(f"未完成：{exc}", ok=False)
        else:
            emit(self.bus.error_raised, exc)

    def _selected(self) -> dict[str, Any] | None:
        row = self.accounts.currentRow()
        if 0 <= row < len(self._account_rows):
            return self._account_rows[row]
        self._note("请先在账号列表中选择一个账号", ok=False)
        return None

    def add_account(self) -> None:
        d = self.account_form.values()
        self.account_form.clear_errors()

        def op(st: Any) -> dict[str, Any]:
            from station.errors import FieldError, ValidationError
            try:
                return dict(st.accounts.add_account(d["username"].strip(), d["password"], d["roles"],
                                                    name=d["name"].strip() or None))
            except ValidationError as e:  # the core's field names → this form's fields
                names = {"username": "新账号用户名", "password": "初始密码", "roles": "新账号角色",
                         "name": "新账号姓名"}
                raise ValidationError([FieldError(f.field, names.get(f.field, f.label), f.message, f.code)
                                       for f in e.errors]) from None

        def done(acc: dict[str, Any]) -> None:
            self.account_form.reset()
            self._note(f"已添加账号 {acc['username']}（{role_names(acc['roles'])}）")
            emit(self.bus.station_changed, {"staff"}, self)
            self.load_accounts()
        self.worker.run(op, done, self._account_failed)

    def set_active(self, active: bool) -> None:
        acc = self._selected()
        if acc is None:
            return
        name = acc["username"]
        self.worker.run(lambda st: st.accounts.set_active(name, active),
                        lambda _r: (self._note(f"已{'启用' if active else '停用'}账号 {name}"), self.load_accounts()),
                        self._account_failed)

    def reset_password(self) -> None:
        acc = self._selected()
        if acc is None:
            return
        new = self.account_form.value("password")
        if not new:
            self._note("请先在“初始密码”一栏填写新密码，再点“重设所选账号密码”", ok=False)
            return
        name = acc["username"]
        self.worker.run(lambda st: st.accounts.set_password(name, new),
                        lambda _r: (self.account_form.set_value("password", ""),
                                    self._note(f"已重设 {name} 的密码，请告知本人尽快修改")),
                        self._account_failed)
