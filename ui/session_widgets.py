"""The widgets of :mod:`ui.session`: the sign-in / lock panel and the database key dialog.

Apart from session.py because they are built only when needed: the window paints first.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QVBoxLayout, QWidget)

from .qtcompat import emit

ERROR_STYLE = "color: #b3261e;"


class AccessPanel(QWidget):
    """What covers the window while nobody may see it: the sign-in form or the lock screen."""

    submitted = Signal()  # 登录 / 解锁
    switch_user = Signal()

    def __init__(self) -> None:
        from PySide6.QtCore import Qt
        super().__init__()
        self.setObjectName("access_panel")
        self.mode = "sign_in"
        card = QFrame()
        card.setObjectName("access_card")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setStyleSheet("#access_card { background: white; border: 1px solid #c8ccd2; border-radius: 6px; }")
        card.setFixedWidth(420)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel()
        self.note.setAccessibleName("登录说明")
        self.note.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setAccessibleName("用户名")
        self.password = QLineEdit()
        self.password.setAccessibleName("密码")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setAccessibleName("登录错误")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.go = QPushButton("登录")
        self.go.setAccessibleName("登录")
        self.go.setDefault(True)
        self.other = QPushButton("切换用户")
        self.other.setAccessibleName("切换用户")
        self.go.clicked.connect(lambda: emit(self.submitted))
        self.other.clicked.connect(lambda: emit(self.switch_user))
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(lambda: emit(self.submitted))
        self.user_label = QLabel("用户名")
        lay = QVBoxLayout(card)
        lay.setContentsMargins(28, 24, 28, 24)
        lay.setSpacing(8)
        lay.addWidget(self.heading)
        lay.addWidget(self.note)
        lay.addSpacing(6)
        lay.addWidget(self.user_label)
        lay.addWidget(self.username)
        lay.addWidget(QLabel("密码"))
        lay.addWidget(self.password)
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other)
        buttons.addStretch(1)
        buttons.addWidget(self.go)
        lay.addSpacing(6)
        lay.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setStyleSheet("#access_panel { background: #eef1f5; }")
        self.setAutoFillBackground(True)

    def show_sign_in(self, note: str = "") -> None:
        self.mode = "sign_in"
        self.heading.setText("请登录")
        self.note.setText(note or "本机已启用账号：请工作人员用自己的账号登录。")
        self.user_label.show()
        self.username.show()
        self.username.setReadOnly(False)
        self.username.clear()
        self.go.setText("登录")
        self.go.setAccessibleName("登录")
        self.other.hide()
        self._reset()
        self.username.setFocus()

    def show_locked(self, username: str) -> None:
        self.mode = "locked"
        self.heading.setText("已锁定")
        self.note.setText(f"为保护当事人信息，屏幕已锁定。请输入账号 {username} 的密码解锁，或切换用户。")
        self.username.setText(username)
        self.user_label.hide()
        self.username.hide()
        self.go.setText("解锁")
        self.go.setAccessibleName("解锁")
        self.other.show()
        self._reset()
        self.password.setFocus()

    def _reset(self) -> None:
        self.password.clear()
        self.error.clear()
        self.error.hide()
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        for w in (self.go, self.other, self.username, self.password):
            w.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error.setText(text)
        self.error.show()
        self.password.clear()
        self.password.setFocus()


class KeyDialog(QDialog):
    """数据库密钥: the database password (password mode) or the recovery code printed at set-up."""

    def __init__(self, message: str, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("db_key_dialog")
        self.setWindowTitle("打开加密的数据库")
        self.setMinimumWidth(460)
        self.message = QLabel(message)
        self.message.setAccessibleName("密钥提示")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.use_password = QRadioButton("数据库密码")
        self.use_password.setAccessibleName("使用数据库密码")
        self.use_code = QRadioButton("恢复码（设置加密时打印的30位代码）")
        self.use_code.setAccessibleName("使用恢复码")
        self.secret = QLineEdit()
        self.secret.setAccessibleName("数据库密码")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.use_password.toggled.connect(self._mode)
        self.use_code.toggled.connect(self._mode)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("打开", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setAccessibleName("打开")
        quit_ = buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        quit_.setAccessibleName("退出")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("数据库已加密。请输入数据库密码，或在密钥丢失时输入恢复码："))
        lay.addWidget(self.message)
        lay.addWidget(self.use_password)
        lay.addWidget(self.use_code)
        lay.addWidget(self.secret)
        lay.addWidget(buttons)
        if mode == "password":
            self.use_password.setChecked(True)
        else:  # keyring mode with the key gone: only the recovery code can help
            self.use_password.hide()
            self.use_code.setChecked(True)
        self.secret.setFocus()

    def _mode(self) -> None:
        code = self.use_code.isChecked()
        self.secret.setAccessibleName("恢复码" if code else "数据库密码")
        self.secret.setEchoMode(QLineEdit.EchoMode.Normal if code else QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("如 ABCDE-FGHJK-…" if code else "")

    def _accept(self) -> None:
        if not self.secret.text().strip():
            self.message.setText(f"请填写{self.secret.accessibleName()}")
            return
        self.accept()

    def answer(self) -> dict[str, str]:
        text = self.secret.text()
        return {"recovery_code": text} if self.use_code.isChecked() else {"password": text}
