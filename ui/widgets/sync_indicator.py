"""The status bar's sync summary, and the small text helpers the 同步 page shares with it.

Built before the window's first paint, so it touches no ``Qt`` enum until :meth:`finish`
(the first use of that namespace costs ~20 ms) and imports nothing heavy.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from ..qtcompat import emit

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QMouseEvent


def local_time(stamp: str | None) -> str:
    """The core stores UTC (naive ISO); people read local time."""
    if not stamp:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone().strftime("%Y-%m-%d %H:%M")


def short_error(message: str, limit: int = 16) -> str:
    """The first clause of a plain error, for the status bar (the full text is the tooltip)."""
    for sep in "：，。（;；":
        message = message.split(sep, 1)[0]
    return message if len(message) <= limit else message[:limit - 1] + "…"


class SyncIndicator(QLabel):
    """Status-bar summary of sync: changes waiting, last success, a short red error; click → 同步 page."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("同步状态")
        self.pending: int | None = None
        self.sync: dict[str, Any] = {}
        self.render()

    def finish(self) -> None:
        """Cursor, focus and rich text: after the first paint (they need the ``Qt`` enums)."""
        from PySide6.QtCore import Qt
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setTextFormat(Qt.TextFormat.RichText)

    def render(self) -> None:
        parts = [] if self.pending is None else [f"未同步 {self.pending:,} 条"]
        if self.sync.get("running"):
            parts.append("正在同步…")
        elif self.sync.get("logged_in"):
            last = local_time(self.sync.get("last_success_at"))
            parts.append(f"上次同步 {last[5:] if last else '从未'}")
        elif self.sync:
            parts.append("未连接县级平台")
        text = " · ".join(parts)
        error = self.sync.get("error") or ""
        if error and not self.sync.get("running"):
            text += f' · <span style="color:#b00020;">同步失败：{short_error(error)}</span>'
        self.setText(text)
        self.setToolTip(error or "点击打开同步页面")
        self.setAccessibleDescription(error)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        from PySide6.QtCore import Qt
        if e.button() == Qt.MouseButton.LeftButton:
            emit(self.clicked)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        from PySide6.QtCore import Qt
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            emit(self.clicked)
        else:
            super().keyPressEvent(e)
