"""Autosave of a form into the drafts table, and its restoration after a crash."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from ..worker import DbWorker, single_shot_timer
from .field_form import FieldForm
from ..qtcompat import emit

AUTOSAVE_MS = 600
BANNER_STYLE = "color: #0b4f8a; background: #e3f0fc; padding: 4px;"


def draft_banner() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(BANNER_STYLE)
    label.setAccessibleName("草稿提示")
    label.hide()
    return label


class DraftKeeper(QObject):
    """Keeps ``form``'s unsaved content in draft ``key`` a moment after each edit.

    An untouched form (equal to its state after :meth:`mark_clean`) holds no draft.
    A keeper can be pointed at another draft (:meth:`retarget`): an entry form that switches
    between a new record and editing an existing one keeps one draft per record. ``meta``
    (e.g. the base version of an edited record) is stored with the draft and comes back with it.
    """

    draft_saved = Signal()
    draft_restored = Signal(str)

    def __init__(self, worker: DbWorker, form: FieldForm, key: str, form_name: str, banner: QLabel) -> None:
        super().__init__(form)
        self.worker, self.form, self.key, self.form_name, self.banner = worker, form, key, form_name, banner
        self._suspended = 0
        self._baseline: dict[str, Any] = {}
        self._has_draft = False
        self.record_uid: str | None = None
        self.meta: dict[str, Any] = {}
        self.timer = single_shot_timer(self, AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)
        form.changed.connect(self._edited)

    def _edited(self) -> None:
        if not self._suspended:
            self.timer.start()

    def mark_clean(self) -> None:
        """The form now shows its empty/default state; nothing to keep."""
        self.timer.stop()
        self._baseline = self.form.values()

    def retarget(self, key: str, form_name: str, record_uid: str | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        """Keep drafts under ``key`` from now on; a pending autosave goes to the old key first."""
        if self.timer.isActive():
            self.save_now()
        self.key, self.form_name, self.record_uid, self.meta = key, form_name, record_uid, dict(meta or {})
        self._has_draft = False
        self.banner.hide()

    def suspend(self) -> "_Suspend":
        return _Suspend(self)

    def save_now(self) -> None:
        self.timer.stop()
        data = self.form.values()
        key, form_name = self.key, self.form_name
        if data == self._baseline:
            if self._has_draft:
                self._has_draft = False
                self.worker.run(lambda st: st.drafts.discard_draft(key))
            return
        self._has_draft = True
        if self.meta:
            data = {**data, "_meta": self.meta}
        record_uid = self.record_uid
        self.worker.run(lambda st: st.drafts.save_draft(key, form_name, data, record_uid),
                        lambda _r: emit(self.draft_saved))

    def restore(self) -> None:
        """Bring back a draft left by an earlier run, and tell the user."""
        key = self.key
        self.worker.run(lambda st: st.drafts.load_draft(key), self._restored)

    def _restored(self, draft: dict[str, Any] | None) -> None:
        if not draft or draft["key"] != self.key:
            return  # none, or the form moved on to another record meanwhile
        self.apply(draft)

    def apply(self, draft: dict[str, Any]) -> None:
        """Show ``draft`` in the form (its ``_meta`` becomes :attr:`meta`) and say it was recovered."""
        if draft["data"].get("_meta"):
            self.meta = dict(draft["data"]["_meta"])
        with self.suspend():
            self.form.set_values(draft["data"])
        self._has_draft = True
        msg = f"已恢复 {draft['updated_at'][:16]} 未保存的草稿（上次录入未保存，内容已自动找回）"
        self.banner.setText(msg)
        self.banner.show()
        emit(self.draft_restored, msg)

    def saved(self) -> None:
        """The record was saved (the core deleted the draft in the same transaction)."""
        self.timer.stop()
        self._has_draft = False
        self.banner.hide()

    def discard(self) -> None:
        self.timer.stop()
        key = self.key
        self._has_draft = False
        self.banner.hide()
        self.worker.run(lambda st: st.drafts.discard_draft(key))


class _Suspend:
    def __init__(self, keeper: DraftKeeper) -> None:
        self.keeper = keeper

    def __enter__(self) -> None:
        self.keeper._suspended += 1

    def __exit__(self, *exc: object) -> None:
        self.keeper._suspended -= 1
