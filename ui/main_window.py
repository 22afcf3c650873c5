"""Main window: sidebar navigation, one stacked page per screen, status bar."""
from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListWidget, QMainWindow, QStackedWidget,
                               QWidget)

from station import codes

from .bus import StationBus
from .pages.base import Page, show_error
from .qtcompat import emit
from .worker import DbWorker


#: the screens in sidebar order: (title, module under ui.pages, class); imported on first visit
SCREENS = [("工作台", "home", "HomePage"), ("来访咨询", "consultations", "ConsultationPage"),
           ("人民调解", "mediation", "MediationPage"), ("村居法律顾问", "visits", "VisitsPage"),
           ("当事人", "people", "PeoplePage"), ("设置", "settings", "SettingsPage")]


class MainWindow(QMainWindow):
    station_missing = Signal()  # the database has no station identity yet

    def __init__(self, worker: DbWorker, bus: StationBus, title: str = "司法所工作平台") -> None:
        super().__init__()
        self.worker, self.bus = worker, bus
        self.setWindowTitle(title)
        self.ref: dict[str, Any] = {}
        # pages are built on first visit: the window paints sooner, and unused screens cost nothing
        self._built: list[Page | None] = [None] * len(SCREENS)
        self.nav = QListWidget()
        self.nav.setAccessibleName("导航")
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget::item { padding: 10px 8px; }")
        self.stack = QStackedWidget()
        for i, (screen_title, _m, _c) in enumerate(SCREENS, 1):
            self.nav.addItem(screen_title)
            self.stack.addWidget(QWidget())  # placeholder until first visit
            act = QAction(screen_title, self, shortcut=QKeySequence(f"Ctrl+{i}"))
            act.triggered.connect(lambda _c=False, n=i - 1: self.show_page(n))
            self.addAction(act)
        self.nav.currentRowChanged.connect(self._page_changed)
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        for name, keys, method in (("新建", QKeySequence.StandardKey.New, "new"),
                                   ("保存", QKeySequence.StandardKey.Save, "save"),
                                   ("查找", QKeySequence.StandardKey.Find, "find"),
                                   ("打印", QKeySequence.StandardKey.Print, "print_")):
            act = QAction(name, self, shortcut=QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _c=False, m=method: getattr(self.current_page(), m)())
            self.addAction(act)
        self.operator = QComboBox()
        self.operator.setAccessibleName("当前操作人")
        self.operator.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.operator.currentIndexChanged.connect(self._operator_changed)
        self.busy = QLabel()
        self.unsynced = QLabel()
        self.unsynced.setAccessibleName("未同步记录")
        sb = self.statusBar()
        sb.addPermanentWidget(self.busy)
        sb.addPermanentWidget(self.unsynced)
        sb.addPermanentWidget(QLabel("操作人："))
        sb.addPermanentWidget(self.operator)
        worker.busy_changed.connect(lambda b: self.busy.setText("正在处理…" if b else ""))
        bus.status_shown.connect(lambda m: sb.showMessage(m, 8000))
        bus.error_raised.connect(lambda e: show_error(self, e))
        bus.station_changed.connect(self._changed)
        self.nav.setCurrentRow(0)
        self.load_reference()

    # reference data shared by the pages -------------------------------------------------
    def load_reference(self) -> None:
        def op(st: Any) -> dict[str, Any]:
            today = dt.date.today()
            return {
                "station": st.reference.station_info(),
                "categories": {c["code"]: c["name"] for c in st.reference.list_codes("consultation_category", today)},
                "dispute_types": {c["code"]: c["name"] for c in st.reference.list_codes("dispute_type", today)},
                "villages": st.reference.list_reference("village"),
                "staff": st.reference.list_reference("staff"),
                "committees": st.reference.list_reference("committee"),
                "settings": st.reference.get_settings(),
                "unsynced": st.dashboard.unsynced_count(),
            }
        self.worker.run(op, self._reference_loaded)

    def _reference_loaded(self, ref: dict[str, Any]) -> None:
        self.ref.clear()
        self.ref.update(ref)
        self.ref["village_names"] = {v["uid"]: v["name"] for v in ref["villages"]}
        self.ref["staff_names"] = {s["uid"]: s["name"] for s in ref["staff"]}
        info = ref["station"] or {}
        if not info:
            emit(self.station_missing)
        if info:
            self.setWindowTitle(f"{info['name']} · 司法所工作平台")
        current = self.operator.currentData()
        self.operator.blockSignals(True)
        self.operator.clear()
        self.operator.addItem("（未选择）", None)
        for s in ref["staff"]:
            self.operator.addItem(f"{s['name']}（{'、'.join(codes.STAFF_ROLES.get(r, r) for r in s['roles'])}）",
                                  s["uid"])
        self.operator.setCurrentIndex(max(self.operator.findData(current), 0))
        self.operator.blockSignals(False)
        self._show_unsynced(ref["unsynced"])
        if not getattr(self, "_drafts_checked", False):
            self._drafts_checked = True
            self.worker.run(lambda st: st.drafts.list_drafts(), self._drafts_found)
        for p in self._built:
            if p is not None:
                p.set_reference(self.ref)  # type: ignore[attr-defined]

    #: which page restores a draft of each form
    DRAFT_PAGES = {"consultation": 1, "case": 2, "visit": 3, "consultation_edit": 1, "case_edit": 2,
                   "case_step": 2, "visit_edit": 3, "person": 4, "person_edit": 4}

    def _drafts_found(self, drafts: list[dict[str, Any]]) -> None:
        """Drafts left by a crash: build their pages (they restore and say so) and tell the user."""
        pages = sorted({self.DRAFT_PAGES[d["form"]] for d in drafts if d["form"] in self.DRAFT_PAGES})
        for n in pages:
            self.page_at(n)
        if pages:
            names = "、".join(SCREENS[n][0] for n in pages)
            emit(self.bus.status_shown, f"已找回上次未保存的草稿：{names}")

    def _show_unsynced(self, n: int) -> None:
        self.unsynced.setText(f"未同步 {n:,} 条")

    def _changed(self, kinds: set[str], _initiator: object) -> None:
        if kinds & {"village", "staff", "committee", "station", "setting"}:
            self.load_reference()
        else:
            self.worker.run(lambda st: st.dashboard.unsynced_count(), self._show_unsynced)

    def _operator_changed(self, _i: int) -> None:
        uid = self.operator.currentData()
        self.worker.run(lambda st: setattr(st, "actor_uid", uid))

    # navigation --------------------------------------------------------------------------
    def page_at(self, n: int) -> Page:
        page = self._built[n]
        if page is None:
            _title, module, cls_name = SCREENS[n]
            cls = getattr(importlib.import_module(f"{__package__}.pages.{module}"), cls_name)
            page = cls(self.worker, self.bus, self.ref)
            page.go_person = self.open_person
            page.go_case = self.open_case
            old = self.stack.widget(n)
            self.stack.insertWidget(n, page)
            self.stack.removeWidget(old)
            old.deleteLater()
            self._built[n] = page
            if self.ref:
                page.set_reference(self.ref)  # type: ignore[attr-defined]
        return page

    @property
    def pages(self) -> list[Page]:
        """Every page (building the ones not visited yet)."""
        return [self.page_at(i) for i in range(len(SCREENS))]

    def current_page(self) -> Page:
        return self.page_at(self.stack.currentIndex())

    def show_page(self, n: int) -> None:
        self.nav.setCurrentRow(n)

    def page(self, cls_name: str) -> Page:
        return self.page_at(next(i for i, s in enumerate(SCREENS) if s[2] == cls_name))

    def _page_changed(self, n: int) -> None:
        page = self.page_at(n)
        self.stack.setCurrentIndex(n)
        page.activate()

    def open_person(self, uid: str) -> None:
        people = self.page("PeoplePage")
        self.show_page(self._built.index(people))
        people.open_person(uid)  # type: ignore[attr-defined]

    def open_case(self, uid: str) -> None:
        med = self.page("MediationPage")
        self.show_page(self._built.index(med))
        med.open_case(uid)  # type: ignore[attr-defined]

    def closeEvent(self, e: QCloseEvent) -> None:  # noqa: N802
        for p in self._built:
            flush = getattr(p, "flush_drafts", None)
            if flush:
                flush()
        super().closeEvent(e)
