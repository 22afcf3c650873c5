"""Roles and the permissions they grant; the check the Station facade runs before each service call.

Permissions are coarse on purpose (one per area of work); "own visits" for an
adviser is checked inside the visits service, which knows whose visit it is.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Union

from ..errors import PermissionDenied

#: any signed-in account
SIGNED_IN = "signed_in"
CONSULTATIONS, CASES, PEOPLE, VISITS = "consultations", "cases", "people", "visits"
SETTINGS, REPORTS, ACCOUNTS, DATA = "settings", "reports", "accounts", "data"  # data: export, import, backup
ALL_VISITS = "all_visits"  # record visits of any adviser, not only one's own

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "counter": frozenset({SIGNED_IN, CONSULTATIONS, PEOPLE}),
    "mediator": frozenset({SIGNED_IN, CASES, PEOPLE}),
    "adviser": frozenset({SIGNED_IN, VISITS}),
    "chief": frozenset({SIGNED_IN, CONSULTATIONS, CASES, PEOPLE, VISITS, ALL_VISITS, SETTINGS, REPORTS, ACCOUNTS,
                        DATA}),
}

LABELS = {SIGNED_IN: "登录", CONSULTATIONS: "来访咨询", CASES: "人民调解案件", PEOPLE: "当事人信息",
          VISITS: "法律顾问工作记录", SETTINGS: "系统设置", REPORTS: "统计报表", ACCOUNTS: "账号管理",
          DATA: "数据导入导出和备份", ALL_VISITS: "登记他人的法律顾问工作"}

#: what a service function declares: a permission, or a function of its arguments giving one
Permission = Union[str, Callable[..., str]]


def granted(roles: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(out)


def needed(fn: Any, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The permission a call of service function ``fn`` (of ``module``) with these arguments needs."""
    perm = getattr(fn, "_station_perm", None) or getattr(
        module, "WRITE_PERMISSION" if getattr(fn, "_station_writes", False) else "READ_PERMISSION", None)
    return resolve(perm, args, kwargs)


def resolve(perm: Permission | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    if perm is None:
        return SIGNED_IN
    return perm(*args, **kwargs) if callable(perm) else perm


def require(held: frozenset[str] | None, perm: str) -> None:
    """``held`` None means the implicit system actor (no accounts exist yet): everything is allowed.

    :raises PermissionDenied: with a Chinese message naming what is missing.
    """
    if held is None:
        return
    if not held:
        raise PermissionDenied("请先登录")
    if perm not in held:
        raise PermissionDenied(f"当前账号没有“{LABELS.get(perm, perm)}”权限")


def require_own_visit(session: Any, adviser_uid: str | None) -> None:
    """An adviser records and edits only their own visits; the chief any adviser's."""
    held = session.info.get("perms")
    if held is None or ALL_VISITS in held:
        return
    if adviser_uid != session.info.get("actor_uid"):
        raise PermissionDenied("法律顾问只能登记和修改本人的工作记录")
