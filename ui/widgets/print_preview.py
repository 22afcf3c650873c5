"""打印预览: the rendered PDF on screen, page by page, with copies, Print and Save as PDF.

The PDF is laid out off the GUI thread (station.printing.build on the DB worker); this dialog
only shows the bytes. A print is logged (who, what, version, copies) only when it really goes
to a printer or a file, through ``on_output``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)


class PrintPreview(QDialog):
    """Preview of one document. ``on_output(copies)`` runs after it was printed or saved."""

    def __init__(self, pdf: bytes, title: str, copies: int, suggested_name: str,
                 on_output: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"打印预览 — {title}")
        self.setAccessibleName("打印预览")
        self.resize(820, 1000)
        self.pdf, self.suggested_name, self.on_output = pdf, suggested_name, on_output
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.doc = QPdfDocument(self)
        self.doc.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setAccessibleName("文书页面")
        self.view.setDocument(self.doc)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

        self.prev_btn = QPushButton("上一页")
        self.next_btn = QPushButton("下一页")
        self.page_label = QLabel()
        self.page_label.setAccessibleName("页码")
        self.copies = QSpinBox()
        self.copies.setRange(1, 99)
        self.copies.setValue(max(1, copies))
        self.copies.setAccessibleName("份数")
        print_btn = QPushButton("打印…")
        save_btn = QPushButton("另存为PDF…")
        close_btn = QPushButton("关闭")
        for b, name in ((self.prev_btn, "上一页"), (self.next_btn, "下一页"), (print_btn, "打印"),
                        (save_btn, "另存为PDF"), (close_btn, "关闭")):
            b.setAccessibleName(name)
        self.prev_btn.clicked.connect(lambda: self.go(self.current_page() - 1))
        self.next_btn.clicked.connect(lambda: self.go(self.current_page() + 1))
        print_btn.clicked.connect(self.print_dialog)
        save_btn.clicked.connect(self.save_dialog)
        close_btn.clicked.connect(self.reject)
        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._update())

        bar = QHBoxLayout()
        for w in (self.prev_btn, self.page_label, self.next_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(QLabel("份数："))
        for w in (self.copies, print_btn, save_btn, close_btn):
            bar.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        self._update()

    def page_count(self) -> int:
        return int(self.doc.pageCount())

    def current_page(self) -> int:
        return int(self.view.pageNavigator().currentPage())

    def go(self, page: int) -> None:
        page = max(0, min(page, self.page_count() - 1))
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._update()

    def _update(self) -> None:
        n, cur = self.page_count(), self.current_page()
        self.page_label.setText(f"第 {cur + 1} / {n} 页")
        self.prev_btn.setEnabled(cur > 0)
        self.next_btn.setEnabled(cur < n - 1)

    def save_to(self, path: str | Path) -> None:
        """Write the exact bytes that were rendered (they match the stored version's hash)."""
        Path(path).write_bytes(self.pdf)
        self.on_output(self.copies.value())

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "另存为PDF", self.suggested_name, "PDF 文件 (*.pdf)")
        if path:
            self.save_to(path)

    def print_to(self, printer: QPrinter) -> None:
        """Draw every page onto ``printer`` at its resolution; copies go to the printer driver."""
        printer.setCopyCount(self.copies.value())
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("无法连接打印机")
        try:
            dpi = printer.resolution()
            for i in range(self.page_count()):
                if i:
                    printer.newPage()
                pt = self.doc.pagePointSize(i)
                size = QSize(int(pt.width() / 72 * dpi), int(pt.height() / 72 * dpi))
                image = self.doc.render(i, size)
                target = painter.viewport()
                fitted = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target.topLeft(), fitted), image)
        finally:
            painter.end()
        self.on_output(self.copies.value())

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)
