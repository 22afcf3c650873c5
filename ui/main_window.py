"""Main window: sidebar navigation, one stacked page per screen, status bar."""
from __future__ import annotations

import datetime as dt
import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QMainWindow, QStackedWidget, QWidget

from .bus import StationBus
from .qtcompat import emit
from .session import SessionController, role_names
from .worker import DbWorker

if TYPE_CHECKING:  # the pages (and the `Qt` namespace they use) load after the first paint
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

    from .widgets.sync_indicator import SyncIndicator

    from .pages.base import Page


#: the screens in sidebar order: (title, module under ui.pages, class); imported on first visit
SCREENS = [("工作台", "home", "HomePage"), ("来访咨询", "consultations", "ConsultationPage"),
           ("人民调解", "mediation", "MediationPage"), ("村居法律顾问", "visits", "VisitsPage"),
           ("当事人", "people", "PeoplePage"), ("统计报表", "reports", "ReportsPage"),
           ("同步", "sync", "SyncPage"), ("导入台账", "ledger_import", "LedgerImportPage"),
           ("设置", "settings", "SettingsPage")]


class MainWindow(QMainWindow):
    station_missing = Signal()  # the database has no station identity yet

    def __init__(self, worker: DbWorker, bus: StationBus, title: str = "司法所工作平台",
                 lock_ms: int | None = None) -> None:
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
        for screen_title, _m, _c in SCREENS:
            self.nav.addItem(screen_title)
            self.stack.addWidget(QWidget())  # placeholder until first visit
        self.nav.currentRowChanged.connect(self._page_changed)
        self.content = QWidget()
        lay = QHBoxLayout(self.content)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        # the work, or (signed out / locked) the sign-in panel over it: a hidden page paints nothing;
        # the panel itself is built when first needed (after the first paint)
        self.session = SessionController(self, lock_ms)
        self.cover = QStackedWidget()
        self.cover.addWidget(self.content)
        self.setCentralWidget(self.cover)
        self.sync: Any = None  # the SyncController, when the app runs one (attach_sync)
        # the bar is there from the first paint; its widgets (operator choice, account, sync count) come
        # right after it, in finish_setup(): nothing fills them before the database is open anyway
        self.statusBar()
        self._retired: list[Page] = []
        worker.busy_changed.connect(self._bury)
        bus.status_shown.connect(lambda m: self.statusBar().showMessage(m, 8000))
        bus.error_raised.connect(self._show_error)
        bus.station_changed.connect(self._changed)
        # row 0 is selected, but no page is built yet: the first page is built by start_work() once
        # the database is open and the session knows whether someone must sign in first
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(0)
        self.nav.blockSignals(False)
        self._finished = False
        self.session.start()  # sign-in first where the folder has accounts; then start_work()

    def finish_setup(self) -> None:
        """What the first paint can do without: the status-bar widgets, the shortcuts (the first one makes
        PySide build the whole ``Qt`` enum namespace, ~40 ms), the lock shortcut."""
        if self._finished:
            return
        self._finished = True
        self._build_status_bar()
        self._add_shortcuts()
        self.session.finish()

    def _build_status_bar(self) -> None:
        """Busy note, unsynced count, and who works: the operator choice, or the signed-in account."""
        from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

        from .widgets.sync_indicator import SyncIndicator
        self.operator: QComboBox = QComboBox()
        self.operator.setAccessibleName("当前操作人")
        self.operator.currentIndexChanged.connect(self._operator_changed)
        self.busy: QLabel = QLabel()
        self.unsynced: SyncIndicator = SyncIndicator()
        self.unsynced.clicked.connect(lambda: self.show_page(self._index("SyncPage")))
        sb = self.statusBar()
        sb.addPermanentWidget(self.busy)
        sb.addPermanentWidget(self.unsynced)
        self.operator_label: QLabel = QLabel("操作人：")
        sb.addPermanentWidget(self.operator_label)
        sb.addPermanentWidget(self.operator)
        # with accounts: who is signed in, instead of the operator choice
        self.account_label: QLabel = QLabel()
        self.account_label.setAccessibleName("当前账号")
        self.lock_button: QPushButton = QPushButton("锁定")
        self.lock_button.setAccessibleName("锁定")
        self.lock_button.setToolTip("锁定屏幕（Ctrl+L）")
        self.lock_button.clicked.connect(self.session.lock)
        self.sign_out_button: QPushButton = QPushButton("退出登录")
        self.sign_out_button.setAccessibleName("退出登录")
        self.sign_out_button.setToolTip("退出登录，换其他工作人员登录")
        self.sign_out_button.clicked.connect(self.session.sign_out)
        for w in (self.account_label, self.lock_button, self.sign_out_button):
            sb.addPermanentWidget(w)
            w.hide()
        self.operator.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.busy.setText("正在处理…" if self.worker.pending else "")
        self.worker.busy_changed.connect(lambda b: self.busy.setText("正在处理…" if b else ""))
        self.unsynced.finish()

    def _add_shortcuts(self) -> None:
        from PySide6.QtGui import QAction, QKeySequence
        for i, (screen_title, _m, _c) in enumerate(SCREENS, 1):
            act = QAction(screen_title, self)
            act.setShortcut(QKeySequence(f"Ctrl+{i}"))
            act.triggered.connect(lambda _c=False, n=i - 1: self.show_page(n))
            self.addAction(act)
        for name, keys, method in (("新建", QKeySequence.StandardKey.New, "new"),
                                   ("保存", QKeySequence.StandardKey.Save, "save"),
                                   ("查找", QKeySequence.StandardKey.Find, "find"),
                                   ("打印", QKeySequence.StandardKey.Print, "print_")):
            act = QAction(name, self)  # window-wide (the default context)
            act.setShortcut(QKeySequence(keys))
            act.triggered.connect(lambda _c=False, m=method: getattr(self.current_page(), m)())
            self.addAction(act)
        about = QAction("关于", self)
        about.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        about.triggered.connect(self.show_about)
        self.addAction(about)

    def _show_error(self, exc: BaseException) -> None:
        from .pages.base import show_error
        show_error(self, exc)

    def start_work(self, home: bool = False) -> None:
        """Access settled (no accounts, or signed in): open the chosen (or first) screen, load reference data."""
        row = self.nav.currentRow()
        if row < 0 or (home and row != 0):
            self.nav.setCurrentRow(0)
        else:
            self._page_changed(row)
        self.load_reference()

    def reset_pages(self) -> None:
        """Another account signed in: drop every built page (drafts were saved) and start again."""
        self.retire_pages()
        self.start_work(home=True)

    def retire_pages(self) -> None:
        """Drop every built page (another account, or a restored database): they are rebuilt on the next visit."""
        for n, page in enumerate(self._built):
            if page is None:
                continue
            self.stack.insertWidget(n, QWidget())
            self.stack.removeWidget(page)
            page.hide()
            self._retired.append(page)  # results still on their way land on a live (hidden) widget
            self._built[n] = None
        self._drafts_checked = False

    def _bury(self, busy: bool) -> None:
        """The DB worker went idle: no result is left for the retired pages, delete them."""
        if not busy and self._retired:
            retired, self._retired = self._retired, []
            for page in retired:
                page.deleteLater()

    def flush_drafts(self) -> None:
        for p in self._built:
            flush = getattr(p, "flush_drafts", None)
            if flush:
                flush()

    def show_cover(self, shown: bool) -> None:
        if shown:
            self.cover.setCurrentWidget(self.session.panel)
        else:
            self.cover.setCurrentIndex(0)
        self.statusBar().clearMessage()  # a message may name someone
        self.statusBar().setVisible(not shown)

    def cover_shown(self) -> bool:
        return self.cover.currentIndex() == 1

    def show_account(self, has_accounts: bool, account: dict[str, Any] | None) -> None:
        """Status bar: the signed-in account (accounts exist) or the operator choice (no accounts yet)."""
        self.operator_label.setVisible(not has_accounts)
        self.operator.setVisible(not has_accounts)
        for w in (self.account_label, self.lock_button, self.sign_out_button):
            w.setVisible(has_accounts and account is not None)
        if account is not None:
            self.account_label.setText(f"已登录：{account.get('name', account['username'])}"
                                       f"（{role_names(account['roles'])}）")
        else:
            self.account_label.clear()

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
        from station import codes
        self.ref.clear()
        self.ref.update(ref)
        self.ref["village_names"] = {v["uid"]: v["name"] for v in ref["villages"]}
        self.ref["staff_names"] = {s["uid"]: s["name"] for s in ref["staff"]}
        info = ref["station"] or {}
        if not info:
            emit(self.station_missing)
        if info:
            self.session.title_changed(f"{info['name']} · 司法所工作平台")
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
        self.unsynced.pending = n
        self.unsynced.render()

    def attach_sync(self, controller: Any) -> None:
        """Show the background sync in the status bar and give the 同步 page its controller."""
        self.sync = controller
        controller.changed.connect(self._sync_changed)
        for p in self._built:
            if p is not None and hasattr(p, "attach_sync"):
                p.attach_sync(controller)

    def _sync_changed(self, state: dict[str, Any]) -> None:
        self.unsynced.sync = state
        if state.get("pending") is not None:
            self.unsynced.pending = state["pending"]
        self.unsynced.render()

    def _changed(self, kinds: set[str], _initiator: object) -> None:
        if kinds & {"village", "staff", "committee", "station", "setting"}:
            self.load_reference()
        elif self.sync is None:  # with a sync controller, its status refresh brings the count
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
            if self.sync is not None and hasattr(page, "attach_sync"):
                page.attach_sync(self.sync)
        return page

    @property
    def pages(self) -> list[Page]:
        """Every page (building the ones not visited yet)."""
        return [self.page_at(i) for i in range(len(SCREENS))]

    def current_page(self) -> Page:
        return self.page_at(self.stack.currentIndex())

    def show_page(self, n: int) -> None:
        self.nav.setCurrentRow(n)

    @staticmethod
    def _index(cls_name: str) -> int:
        return next(i for i, s in enumerate(SCREENS) if s[2] == cls_name)

    def page(self, cls_name: str) -> Page:
        return self.page_at(self._index(cls_name))

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

    def show_about(self) -> None:
        from .widgets.about import AboutDialog
        AboutDialog(self).open()

    def closeEvent(self, e: QCloseEvent) -> None:  # noqa: N802
        self.flush_drafts()
        super().closeEvent(e)
