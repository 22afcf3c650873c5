"""Fault injection against a real hub process: after each fault, sync again loses and duplicates nothing.

Each scenario runs once here; ``bench/sync_faults.py --runs N`` repeats them and counts passes.
"""
from __future__ import annotations

import pytest

import faults
from conftest import Devices


@pytest.mark.parametrize("name", sorted(faults.SCENARIOS))
def test_fault_then_sync_again_loses_and_duplicates_nothing(name: str, sqlite_devices: Devices) -> None:
    faults.SCENARIOS[name](sqlite_devices)


@pytest.mark.parametrize("name", ["lost_ack", "hub_killed_mid_batch", "concurrent_syncs"])
def test_faults_against_postgresql(name: str, pg_devices: Devices) -> None:
    faults.SCENARIOS[name](pg_devices)
