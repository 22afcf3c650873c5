"""The 同步 page and background sync, driven headless against a real hub process on 127.0.0.1."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QProgressBar,  # noqa: E402
                               QPushButton, QTableWidget)

from station import Station  # noqa: E402
from station.sync import list_conflicts, run_sync  # noqa: E402

from .gui_helpers import choose, click, find, idle, start_gui, stop_gui, type_text  # noqa: E402
from .sync.conftest import Devices, HubProcess  # noqa: E402
from .sync.helpers import pending  # noqa: E402
from .test_gui_scenarios import pick_person  # noqa: E402

CODE = "340621101"  # the `ready` station's code
FAST = {"interval": 600.0, "retry_base": 0.2, "retry_cap": 0.4, "probe_interval": 0.2, "probe_timeout": 0.5,
        "start_delay": 0.1}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    """A real hub process (SQLite) on a free port of 127.0.0.1."""
    h = HubProcess(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path).start()
    yield h
    h.stop()


@pytest.fixture
def gui(ready: Station, qtbot: Any) -> Iterator[Any]:
    uid = ready.people.save_person({"name": "王桂英", "gender": "女", "phone": "13912345678"}).uid
    folder = ready.data_dir
    ready.close()
    app = start_gui(qtbot, folder, sync_options=FAST)
    app.person_uid = uid
    yield app
    stop_gui(qtbot, app)


def sync_page(qtbot: Any, gui: Any) -> Any:
    """Open 同步 by clicking the status-bar indicator, as a user would."""
    indicator = find(gui.window, "同步状态", QLabel)
    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
    page = gui.window.page("SyncPage")
    assert gui.window.stack.currentWidget() is page
    idle(qtbot, gui)
    return page


def connect(qtbot: Any, gui: Any, page: Any, hub: HubProcess) -> dict[str, Any]:
    reg = hub.register(CODE, "临涣镇司法所")
    type_text(qtbot, find(page, "县级平台地址", QLineEdit), hub.url)
    type_text(qtbot, find(page, "设备令牌", QLineEdit), reg["token"])
    click(qtbot, find(page, "连接", QPushButton))
    qtbot.waitUntil(lambda: find(page, "连接结果", QLabel).text().startswith("已连接"), timeout=15000)
    return reg


def wait_runs(qtbot: Any, gui: Any, n: int, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: gui.sync.runs >= n and not gui.sync.running, timeout=timeout)
    idle(qtbot, gui)


def hub_counts(hub: HubProcess) -> dict[str, int]:
    from hub.service import stats
    eng = hub.engine()
    try:
        [row] = stats(eng, CODE)
    finally:
        eng.dispose()
    return dict(row["counts"])


def test_connect_record_sync_now_and_status_bar(gui: Any, qtbot: Any, hub: HubProcess) -> None:
    page = sync_page(qtbot, gui)
    assert "尚未连接" in find(page, "连接状态", QLabel).text()
    click(qtbot, find(page, "连接", QPushButton))  # empty form: told next to the fields, nothing sent
    assert find(page, "县级平台地址错误", QLabel).text() == "请填写县级平台地址"
    connect(qtbot, gui, page, hub)
    assert find(page, "设备令牌", QLineEdit).text() == ""  # not left on screen
    assert gui.station.data_dir.joinpath("hub.token").exists() is False  # keyring, not a file
    wait_runs(qtbot, gui, 1)  # connecting starts a first sync
    assert gui.sync.state["error"] == ""
    assert find(page, "待上传记录", QLabel).text() == "待上传：0 条"
    before = hub_counts(hub).get("consultation", 0)

    # a consultation registered at the counter waits in the outbox…
    gui.window.show_page(1)
    cons = gui.window.page("ConsultationPage")
    idle(qtbot, gui)
    pick_person(qtbot, gui, cons, "咨询人", "王桂英")
    choose(qtbot, find(cons, "咨询类别", QComboBox), "劳动争议")
    type_text(qtbot, find(cons, "咨询事项", QPlainTextEdit), "老板拖欠工资三个月")
    type_text(qtbot, find(cons, "答复意见", QPlainTextEdit), "可申请劳动仲裁")
    choose(qtbot, find(cons, "满意度", QComboBox), "满意")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(cons, "保存结果", QLabel).text().startswith("已保存"), timeout=5000)
    idle(qtbot, gui)
    indicator = find(gui.window, "同步状态", QLabel)
    qtbot.waitUntil(lambda: "未同步 0 条" not in indicator.text(), timeout=5000)
    assert "上次同步" in indicator.text() and "同步失败" not in indicator.text()

    # …and 立即同步 sends it: the progress bar ends full, nothing pending, the hub has it
    page = sync_page(qtbot, gui)
    assert find(page, "待上传记录", QLabel).text() != "待上传：0 条"
    phases: list[str] = []
    gui.sync.progressed.connect(lambda ph, done, total: phases.append(ph))
    click(qtbot, find(page, "立即同步", QPushButton))
    assert gui.sync.running and not find(page, "立即同步", QPushButton).isEnabled()
    assert find(page, "取消", QPushButton).isEnabled()
    wait_runs(qtbot, gui, 2)
    bar = find(page, "同步进度", QProgressBar)
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert "upload" in phases and "verify" in phases
    assert find(page, "同步阶段", QLabel).text() == "同步完成"
    qtbot.waitUntil(lambda: find(page, "待上传记录", QLabel).text() == "待上传：0 条", timeout=5000)
    assert "核对一致" in find(page, "上次同步结果", QLabel).text()
    assert pending(gui.station) == 0
    assert hub_counts(hub)["consultation"] == before + 1
    assert "未同步 0 条" in indicator.text()
    assert find(page, "上次成功同步", QLabel).text() != "上次成功同步：从未"


def test_hub_down_shows_chinese_error_and_background_retry_succeeds(gui: Any, qtbot: Any,
                                                                    hub: HubProcess) -> None:
    page = sync_page(qtbot, gui)
    connect(qtbot, gui, page, hub)
    wait_runs(qtbot, gui, 1)
    hub.kill()
    gui.station.people.save_person({"name": "赵六", "gender": "男"})  # one change waiting
    runs = gui.sync.runs
    click(qtbot, find(page, "立即同步", QPushButton))
    wait_runs(qtbot, gui, runs + 1)
    error = find(page, "同步错误", QLabel)
    assert error.isVisible() and error.text().startswith("连不上县级平台")
    indicator = find(gui.window, "同步状态", QLabel)
    assert "同步失败：连不上县级平台" in indicator.text()
    assert "#b00020" in indicator.text()  # red
    # the app stays responsive while the retries fail in the background
    failures = gui.sync.failures
    t0 = time.monotonic()
    gui.window.show_page(4)
    type_text(qtbot, find(gui.window.page("PeoplePage"), "查找当事人", QLineEdit), "赵")
    assert time.monotonic() - t0 < 2.0
    qtbot.waitUntil(lambda: gui.sync.failures >= failures + 2, timeout=15000)  # retried by itself, backoff
    assert gui.sync.timer.isActive() or gui.sync.running
    assert pending(gui.station) > 0
    # the hub comes back: the next background attempt succeeds, nobody pressed anything
    hub.start()
    qtbot.waitUntil(lambda: gui.sync.failures == 0 and not gui.sync.running, timeout=20000)
    idle(qtbot, gui)
    qtbot.waitUntil(lambda: "同步失败" not in indicator.text(), timeout=5000)
    assert pending(gui.station) == 0
    assert hub_counts(hub)["person"] >= 2
    page = sync_page(qtbot, gui)
    assert not find(page, "同步错误", QLabel, visible=False).isVisible()


def test_network_return_is_noticed_by_the_probe(gui: Any, qtbot: Any, hub: HubProcess) -> None:
    """With a long backoff only the /health probe can notice the hub is back, and it starts a sync."""
    page = sync_page(qtbot, gui)
    connect(qtbot, gui, page, hub)
    wait_runs(qtbot, gui, 1)
    gui.sync.retry_base = gui.sync.retry_cap = 3600.0
    hub.kill()
    runs = gui.sync.runs
    click(qtbot, find(page, "立即同步", QPushButton))
    wait_runs(qtbot, gui, runs + 1)
    assert gui.sync.failures == 1 and gui.sync.timer.remainingTime() > 600_000
    assert gui.sync.probe_timer.isActive()
    hub.start()
    qtbot.waitUntil(lambda: gui.sync.failures == 0 and gui.sync.runs == runs + 2, timeout=15000)
    assert not gui.sync.probe_timer.isActive()



def test_the_system_saying_online_starts_a_sync(gui: Any, qtbot: Any, hub: HubProcess) -> None:
    """QNetworkInformation's "online" after a failed run starts a sync at once; while all is well, or when
    the system says offline, nothing runs (the /health probe is slowed down here so it cannot be the one)."""
    from PySide6.QtNetwork import QNetworkInformation
    page = sync_page(qtbot, gui)
    connect(qtbot, gui, page, hub)
    wait_runs(qtbot, gui, 1)
    info = gui.sync.network
    assert info is not None and info is QNetworkInformation.instance()  # the platform's backend, loaded
    runs = gui.sync.runs
    info.reachabilityChanged.emit(QNetworkInformation.Reachability.Online)  # nothing failed: nothing to do
    qtbot.wait(300)
    assert gui.sync.runs == runs and not gui.sync.running
    gui.sync.retry_base = gui.sync.retry_cap = 3600.0
    gui.sync.probe_timer.setInterval(3_600_000)
    hub.kill()
    click(qtbot, find(page, "立即同步", QPushButton))
    wait_runs(qtbot, gui, runs + 1)
    assert gui.sync.failures == 1
    hub.start()
    info.reachabilityChanged.emit(QNetworkInformation.Reachability.Disconnected)
    qtbot.wait(300)
    assert gui.sync.runs == runs + 1 and gui.sync.failures == 1
    info.reachabilityChanged.emit(QNetworkInformation.Reachability.Online)
    qtbot.waitUntil(lambda: gui.sync.failures == 0 and gui.sync.runs == runs + 2, timeout=15000)
    assert gui.sync.state["error"] == ""

def test_refused_token_says_so_in_chinese(gui: Any, qtbot: Any, hub: HubProcess) -> None:
    page = sync_page(qtbot, gui)
    assert not find(page, "令牌文件", QLineEdit, visible=False).isVisible()  # keyring here: no file offered
    assert not find(page, "密钥环提示", QLabel, visible=False).isVisible()
    click(qtbot, find(page, "立即同步", QPushButton))  # not connected yet: told what to do first
    assert find(page, "同步错误", QLabel).text().startswith("本机尚未连接县级平台")
    assert not gui.sync.running
    type_text(qtbot, find(page, "县级平台地址", QLineEdit), hub.url)
    type_text(qtbot, find(page, "设备令牌", QLineEdit), "not-a-token")
    click(qtbot, find(page, "连接", QPushButton))
    result = find(page, "连接结果", QLabel)
    qtbot.waitUntil(lambda: result.text().startswith("未连接"), timeout=15000)
    assert "拒绝了本机的设备令牌" in result.text()
    assert "尚未连接" in find(page, "连接状态", QLabel).text()


def test_no_keyring_offers_an_explicit_file(gui: Any, qtbot: Any, hub: HubProcess, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    page = sync_page(qtbot, gui)
    note = find(page, "密钥环提示", QLabel, visible=False)
    qtbot.waitUntil(note.isVisible, timeout=5000)
    assert "没有可用的系统密钥环" in note.text()
    box = find(page, "改用文件保存令牌", QCheckBox)
    assert not box.isChecked()  # the user must choose it
    reg = hub.register(CODE, "临涣镇司法所")
    type_text(qtbot, find(page, "县级平台地址", QLineEdit), hub.url)
    type_text(qtbot, find(page, "设备令牌", QLineEdit), reg["token"])
    click(qtbot, find(page, "连接", QPushButton))  # not ticked: refused, nothing stored
    result = find(page, "连接结果", QLabel)
    qtbot.waitUntil(lambda: result.text().startswith("未连接"), timeout=15000)
    assert "没有可用的系统密钥环" in result.text()
    box.setChecked(True)
    token_file = find(page, "令牌文件", QLineEdit)
    token_file.clear()
    type_text(qtbot, token_file, str(tmp_path / "token.txt"))
    click(qtbot, find(page, "连接", QPushButton))
    qtbot.waitUntil(lambda: result.text().startswith("已连接"), timeout=15000)
    assert "文件" in result.text()
    assert (tmp_path / "token.txt").read_text().strip() == reg["token"]
    wait_runs(qtbot, gui, 1)
    assert gui.sync.state["error"] == ""


def test_conflict_from_two_devices_is_listed_masked_and_resolved(gui: Any, qtbot: Any, hub: HubProcess,
                                                                 tmp_path: Path, _template: Path) -> None:
    page = sync_page(qtbot, gui)
    connect(qtbot, gui, page, hub)
    wait_runs(qtbot, gui, 1)
    devices = Devices(hub, tmp_path / "other", _template)
    (tmp_path / "other").mkdir()
    try:
        other = devices.new(CODE, "临涣镇司法所")
        assert run_sync(other).ok
        uid = gui.person_uid
        base = other.people.get_person(uid)["version"]
        other.people.save_person({"name": "王桂英", "gender": "女", "phone": "13800005555"}, uid=uid,
                                 base_version=base)
        gui.station.people.save_person({"name": "王桂英", "gender": "女", "phone": "13912340000",
                                        "address": "濉溪县临涣镇南坪村二组"}, uid=uid, base_version=base)
        assert run_sync(other).ok  # the other device's edit reaches the hub first
        runs = gui.sync.runs
        click(qtbot, find(page, "立即同步", QPushButton))
        wait_runs(qtbot, gui, runs + 1)
        table = find(page, "冲突列表", QTableWidget)
        qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=5000)
        assert table.item(0, 0).text() == "当事人"
        assert "联系电话" in table.item(0, 1).text()
        compare = find(page, "冲突对比", QTableWidget)
        rows = {compare.item(r, 0).text(): (compare.item(r, 1).text(), compare.item(r, 2).text())
                for r in range(compare.rowCount())}
        assert rows["联系电话"] == ("139****0000", "138****5555")  # both versions side by side, masked
        assert rows["姓名"] == ("王**", "王**")
        shown = " ".join(t for pair in rows.values() for t in pair)
        assert "13912340000" not in shown and "13800005555" not in shown and "南坪村二组" not in shown
        indicator = find(gui.window, "同步状态", QLabel)
        assert gui.sync.state["open_conflicts"] == 1
        # keep mine: the choice goes up as the version after the hub's, and the other device gets it
        runs = gui.sync.runs
        click(qtbot, find(page, "保留本机版本", QPushButton))
        qtbot.waitUntil(lambda: find(page, "冲突处理结果", QLabel).text().startswith("已采用本机版本"), timeout=5000)
        wait_runs(qtbot, gui, runs + 1)
        qtbot.waitUntil(lambda: table.rowCount() == 0, timeout=5000)
        assert find(page, "冲突说明", QLabel).text() == "没有待处理的冲突。"
        assert list_conflicts(gui.station) == []
        assert gui.sync.state["error"] == "" and "同步失败" not in indicator.text()
        assert run_sync(other).ok
        assert other.people.get_person(uid)["phone"] == "13912340000"
        assert gui.station.people.get_person(uid)["phone"] == "13912340000"
    finally:
        devices.close()


def test_cancel_stops_between_batches_and_keeps_what_was_acknowledged(gui: Any, qtbot: Any, tmp_path: Path) -> None:
    hub = HubProcess(f"sqlite:///{tmp_path / 'slow-hub.db'}", tmp_path, STATION_HUB_INGEST_DELAY="1.0").start()
    try:
        page = sync_page(qtbot, gui)
        connect(qtbot, gui, page, hub)
        wait_runs(qtbot, gui, 1)
        gui.station.people.save_person({"name": "钱七", "gender": "男"})
        runs = gui.sync.runs
        click(qtbot, find(page, "立即同步", QPushButton))
        qtbot.waitUntil(lambda: find(page, "同步阶段", QLabel).text().startswith("正在上传"), timeout=10000)
        # while the hub takes its time, the DB worker still serves the pages at once (the sync is elsewhere)
        t0, answered = time.monotonic(), []
        gui.worker.run(lambda st: st.dashboard.unsynced_count(), answered.append)
        qtbot.waitUntil(lambda: bool(answered), timeout=2000)
        assert gui.sync.running and time.monotonic() - t0 < 0.5
        click(qtbot, find(page, "取消", QPushButton))  # while the hub is still taking the batch
        assert find(page, "同步阶段", QLabel).text().startswith("正在取消")
        wait_runs(qtbot, gui, runs + 1)
        assert gui.sync.state["last"]["status"] == "cancelled"
        assert find(page, "同步阶段", QLabel).text() == "同步已取消，已完成的部分已保存"
        assert gui.sync.state["error"] == "" and gui.sync.failures == 0
        assert pending(gui.station) == 0  # the batch in flight was acknowledged and kept
        assert gui.sync.timer.isActive()  # the regular schedule goes on
    finally:
        hub.stop()


def test_an_unexpected_sync_failure_is_reported_and_retried(gui: Any, qtbot: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import station.sync

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("boom")
    monkeypatch.setattr(station.sync, "run_sync", broken)
    page = sync_page(qtbot, gui)
    assert gui.sync.sync_now()
    qtbot.waitUntil(lambda: gui.sync.runs >= 1 and not gui.sync.running, timeout=10000)
    assert find(page, "同步错误", QLabel).text() == "同步出错（RuntimeError），稍后会自动重试"
    assert find(page, "同步阶段", QLabel).text() == "同步未完成"
    assert find(page, "立即同步", QPushButton).isEnabled() and not find(page, "取消", QPushButton).isEnabled()
    # a retry is planned with the short backoff (on a loaded machine the timer may have fired already)
    assert gui.sync.state["next_at"] is not None and gui.sync.timer.interval() <= 1000
    assert "同步失败：同步出错" in find(gui.window, "同步状态", QLabel).text()
