"""Nothing typed is lost: a form's draft survives the program being killed with SIGKILL."""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from station import Station

ROOT = Path(__file__).resolve().parent.parent
START = "import sys; from ui.app import main; sys.exit(main(sys.argv[1]))"


def _env(hook: str) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), "STATION_TEST_HOOK": hook}


def _wait_for_line(proc: subprocess.Popen[str], wanted: str, timeout: float) -> list[str]:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    lines: list[str] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if sel.select(timeout=0.5):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.strip() == wanted:
                return lines
    raise AssertionError(f"never saw {wanted!r}; got {lines}")


def test_draft_comes_back_after_kill_9_and_says_so(ready: Station) -> None:
    from ui.test_hooks import QUESTION
    folder = ready.data_dir
    ready.close()
    proc = subprocess.Popen([sys.executable, "-c", START, str(folder)], cwd=ROOT, env=_env("type_consultation"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_line(proc, "DRAFT_SAVED", timeout=60)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    again = subprocess.run([sys.executable, "-c", START, str(folder)], cwd=ROOT, env=_env("report_draft"),
                           capture_output=True, text=True, timeout=90)
    assert again.returncode == 0, again.stderr[-2000:]
    shown = json.loads([line for line in again.stdout.splitlines() if line.startswith("{")][-1])
    assert shown["question"] == QUESTION
    assert shown["banner_visible"] and "已恢复" in shown["banner"] and "草稿" in shown["banner"]
    with Station.open(folder) as st:  # still a draft: nothing was saved as a record behind the user's back
        assert st.records.count_records("consultation") == 0
        assert st.drafts.load_draft("consultation:new")["data"]["question"] == QUESTION


def test_an_unsaved_edit_comes_back_after_kill_9_in_edit_mode(ready: Station) -> None:
    from ui.test_hooks import EDIT_TAIL, QUESTION
    person = ready.people.save_person({"name": "王桂英", "gender": "女"}).uid
    code = ready.reference.list_codes("consultation_category")[0]["code"]
    rec = ready.consultations.record_consultation({"persons": [person], "category_code": code, "question": QUESTION,
                                                   "answer": "建议先由村委会调解"}).record
    folder = ready.data_dir
    ready.close()
    proc = subprocess.Popen([sys.executable, "-c", START, str(folder)], cwd=ROOT, env=_env("edit_consultation"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_line(proc, "DRAFT_SAVED", timeout=60)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    again = subprocess.run([sys.executable, "-c", START, str(folder)], cwd=ROOT, env=_env("report_edit"),
                           capture_output=True, text=True, timeout=90, check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    shown = json.loads([line for line in again.stdout.splitlines() if line.startswith("{")][-1])
    assert shown["question"] == QUESTION + EDIT_TAIL
    assert rec["number"] in shown["editing"]  # back in edit mode for the same record, not as a new entry
    assert shown["banner_visible"] and "已恢复" in shown["banner"]
    with Station.open(folder) as st:
        assert st.records.count_records("consultation") == 1
        assert st.consultations.get_consultation(rec["uid"])["question"] == QUESTION  # not saved behind the back
        draft = st.drafts.load_draft(f"consultation:edit:{rec['uid']}")
        assert draft["record_uid"] == rec["uid"] and draft["data"]["_meta"] == {"version": rec["version"]}
