"""Masking of personal data for display (GB/T 35273 §7.2: de-identify what bystanders can see).

The raw value stays in the database; screens, lists and logs show the masked form, and a
reveal is an explicit, recorded action.
"""
from __future__ import annotations


def mask_id(number: str | None) -> str:
    """Resident ID: first 6 (region) + ******** + last 4; shorter numbers keep only their ends."""
    n = (number or "").strip()
    if len(n) >= 15:
        return n[:6] + "*" * (len(n) - 10) + n[-4:]
    if len(n) > 4:
        return n[:2] + "*" * (len(n) - 4) + n[-2:]
    return "*" * len(n)


def mask_phone(phone: str | None) -> str:
    """Mobile 138****5678; landline keeps the area code and last 2 digits."""
    p = (phone or "").strip()
    if "-" in p:
        area, rest = p.split("-", 1)
        return f"{area}-{'*' * max(len(rest) - 2, 0)}{rest[-2:]}"
    if len(p) == 11:
        return p[:3] + "****" + p[-4:]
    if len(p) > 4:
        return "*" * (len(p) - 4) + p[-4:]
    return "*" * len(p)


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**: keeps the surname (first character, or two for 4+ characters)."""
    n = (name or "").strip()
    if len(n) <= 1:
        return n
    keep = 2 if len(n) >= 4 else 1
    return n[:keep] + "*" * (len(n) - keep)


def mask_address(address: str | None, keep: int = 6) -> str:
    a = (address or "").strip()
    return a if len(a) <= keep else a[:keep] + "…"
