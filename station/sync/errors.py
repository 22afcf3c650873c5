"""Errors of the sync client, with a Chinese message for people and a code for programs."""
from __future__ import annotations

from ..errors import StationError


class SyncError(StationError):
    """A sync step failed. ``retryable`` says whether trying again later may help."""

    def __init__(self, message: str, *, code: str = "error", status: int | None = None,
                 retryable: bool = True) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.retryable = message, code, status, retryable


class NotLoggedIn(SyncError):
    def __init__(self) -> None:
        super().__init__("本机尚未登录县级平台，请先运行 station login --hub 地址", code="not_logged_in",
                         retryable=False)


#: what a person at the counter should read for each error code (the GUI's 同步 page and status bar);
#: the technical message stays in the log and in ``SyncResult.message``
PLAIN_MESSAGES: dict[str, str] = {
    "network": "连不上县级平台：网络不通或平台未开机。恢复后会自动重试",
    "timeout": "连接县级平台超时：网络太慢或平台繁忙。稍后会自动重试",
    "closed": "县级平台中途断开了连接，已完成的部分已保存。稍后会自动重试",
    "bad_response": "县级平台的应答不完整，稍后会自动重试",
    "no_token": "缺少设备令牌，请在同步页面重新连接",
    "bad_token": "县级平台拒绝了本机的设备令牌（令牌无效）。请向县级管理员索取新令牌后重新连接",
    "revoked": "本机的设备令牌已被县级管理员吊销。请联系县级管理员",
    "too_many_failures": "令牌错误次数过多，县级平台暂时拒绝连接，请一分钟后再试",
    "rate_limited": "同步请求过于频繁，县级平台暂时拒绝，稍后会自动重试",
    "protocol": "本机程序与县级平台的同步协议版本不一致，需要升级程序",
    "wrong_station": "该设备令牌属于其他司法所，不能用于本机数据",
    "device_no": "本机设备编号与县级平台登记的不一致，请重新连接",
    "not_logged_in": "本机尚未连接县级平台：请填写平台地址和设备令牌后点“连接”",
    "no_keyring": "本机没有可用的系统密钥环，无法安全保存设备令牌",
    "internal": "县级平台内部出错，稍后会自动重试",
    "retry": "县级平台正忙，稍后会自动重试",
    "replayed": "县级平台认为该批次已处理过，下次同步会重新核对",
}


def plain_message(code: str, message: str = "", status: int | None = None) -> str:
    """A short Chinese sentence for error ``code``; unknown codes fall back to the hub's own message.

    Protocol mismatches keep the detail (which side must upgrade), since that tells the user whom to call.
    """
    plain = PLAIN_MESSAGES.get(code)
    if plain is None:
        if status is not None and status >= 500:
            return PLAIN_MESSAGES["internal"]
        return message or "同步未完成（原因不明），稍后会自动重试"
    if code == "protocol" and message:
        return f"{plain}：{message}"
    return plain
