"""Write the sample ledgers in docs/samples (the same realistic files the tests build)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ledger_files import case_ledger, consultation_ledger, visit_ledger  # noqa: E402

if __name__ == "__main__":
    out = ROOT / "docs" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    case_ledger(out / "人民调解台账-示例.xlsx")
    case_ledger(out / "人民调解台账-有错误的示例.xlsx", messy=True)
    consultation_ledger(out / "来访咨询台账-示例.xlsx")
    visit_ledger(out / "法律顾问工作台账-示例.xlsx")
