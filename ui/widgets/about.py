"""关于: version, app icon, and the licences of the bundled fonts and libraries (station.about)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from station import __version__
from station.about import about_text, icon_path


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("关于司法所工作平台")
        icon = QLabel()
        icon.setPixmap(QPixmap(str(icon_path())).scaled(72, 72, Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation))
        icon.setAccessibleName("软件图标")
        name = QLabel(f"<b style='font-size:15pt'>司法所工作平台</b><br>版本 {__version__}")
        name.setAccessibleName("软件版本")
        head = QHBoxLayout()
        head.addWidget(icon)
        head.addWidget(name, 1)
        text = QPlainTextEdit(about_text())
        text.setReadOnly(True)
        text.setAccessibleName("关于本软件")
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox()
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAccessibleName("关闭")
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(text, 1)
        lay.addWidget(buttons)
        self.resize(720, 520)
