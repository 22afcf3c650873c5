"""The sync wire protocol, shared by the station client and the hub.

An upload batch is gzip-compressed JSON: ``{protocol, station, device_no, device_id,
batch_id, changes: [{seq, kind, uid, version, base_version, hash, payload}]}`` where
``payload`` is the record's canonical JSON *text* and ``hash`` its SHA-256, so the hub
checks integrity byte for byte without re-serialising.

Kept free of HTTP and database code so both sides agree on one definition of
limits, kinds, hashes and the per-kind fingerprint compared at the end of a sync.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable, Sequence, cast

import orjson
from isal import igzip, isal_zlib  # ISA-L gzip: same format, ~5x faster level-1 deflate, ~4x faster inflate

#: bump when a request or response shape changes incompatibly
PROTOCOL_VERSION = 1
#: oldest client protocol the hub still serves
MIN_PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Station-Protocol"
DEVICE_HEADER = "X-Station-Device"

#: changes per upload batch (client default; the hub refuses more than MAX_BATCH_CHANGES and says
#: its limit in ``hello``, which the client follows: a protocol-1 hub from before allowed 2000).
#: Large on purpose: every hub transaction rewrites the index pages its random uids touch, so
#: 100,000 changes in 5 transactions cost far less than in 100.
BATCH_CHANGES = 20000
MAX_BATCH_CHANGES = 20000
#: audit entries per upload request (same reasoning); a hub that does not state its limit in
#: ``hello`` takes at most OLD_HUB_AUDIT_ENTRIES
MAX_AUDIT_ENTRIES = 20000
OLD_HUB_AUDIT_ENTRIES = 5000
#: compressed request body limit and decompressed limit (guards against gzip bombs)
MAX_REQUEST_BYTES = 8 * 1024 * 1024
MAX_INFLATED_BYTES = 64 * 1024 * 1024
#: records per download page
PAGE_RECORDS = 1000

#: kinds managed by the county and never uploaded by a station
COUNTY_KINDS = frozenset({"code"})
#: kinds the hub owns per station (created at registration) and never uploaded
HUB_OWNED_KINDS = frozenset({"station"})
#: kinds a station uploads
UPLOAD_KINDS = frozenset({
    "staff", "village", "committee", "person", "consultation", "consultation_person", "case",
    "case_party", "case_session", "follow_up", "visit",
    "period_closure",  # a closed period's report snapshot: the county page lists what each station submitted
})
ALL_KINDS = UPLOAD_KINDS | COUNTY_KINDS | HUB_OWNED_KINDS

#: scope under which county-wide records are stored on the hub
COUNTY_SCOPE = "*"

UID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class ProtocolError(ValueError):
    """A request body the hub refuses as a whole (corrupt, oversized, inconsistent)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def __reduce__(self) -> tuple[Any, ...]:  # the hub raises it in a worker process too
        return type(self), (self.status, self.code, self.message)


def canonical_json(data: Any) -> str:
    """Same canonical form as :func:`station.records.canonical_json` (sorted keys, UTF-8)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def pack(body: dict[str, Any]) -> bytes:
    """JSON + gzip, as sent on the wire.

    The wire form needs no canonical order (payloads inside are canonical text already),
    so the fast encoder and a fast gzip level are used: ISA-L's level 1 compresses record
    JSON smaller than zlib's level 1 at a fifth of its CPU. Any gzip reader reads it.
    """
    try:
        data = orjson.dumps(body)
    except TypeError:  # beyond orjson (e.g. integers over 64 bits): the standard encoder
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip_body(data)


def gzip_body(data: bytes) -> bytes:
    """A request body already encoded (JSON or frames), gzip as every request is sent."""
    return igzip.compress(data, compresslevel=1, mtime=0)


def pack_frames(envelope: dict[str, Any], rows: Sequence[Sequence[Any]]) -> bytes:
    """An upload batch as frames: the payloads travel as their own bytes, not as JSON strings.

    ``rows`` are outbox rows ``(seq, kind, uid, version, base_version, payload UTF-8 bytes,
    hash)``. The body is one line of JSON, the envelope with each change as ``[seq, kind,
    uid, version, base_version, hash, payload length]``, a newline, then the payloads back to
    back; gzip. Neither side escapes, unescapes or re-encodes payload text, and the hub
    hashes the bytes as they came. Sent to hubs that list ``push_frames`` in ``hello``.
    """
    head = orjson.dumps({**envelope, "changes": [(r[0], r[1], r[2], r[3], r[4], r[6], len(r[5])) for r in rows]})
    return gzip_body(b"".join([head, b"\n", *(r[5] for r in rows)]))


#: isal's inflate error (its stubs declare an instance, not the class)
_GZIP_ERROR = cast("type[Exception]", isal_zlib.error)


def inflate(raw: bytes, *, max_inflated: int = MAX_INFLATED_BYTES) -> bytes:
    """Inflate a gzip request body, refusing bombs and bad or truncated gzip."""
    d = isal_zlib.decompressobj(wbits=31)
    try:
        data = d.decompress(raw, max_inflated + 1)
    except _GZIP_ERROR as e:
        raise ProtocolError(400, "bad_gzip", f"request body is not valid gzip: {e}") from None
    if len(data) > max_inflated or d.unconsumed_tail:
        raise ProtocolError(413, "too_large", "request body inflates beyond the limit")
    if not d.eof:
        raise ProtocolError(400, "bad_gzip", "request body is a truncated gzip stream")
    return bytes(data)


def unpack(raw: bytes, *, max_inflated: int = MAX_INFLATED_BYTES) -> dict[str, Any]:
    """Inflate and parse a request body, refusing bombs, bad gzip and bad JSON."""
    data = inflate(raw, max_inflated=max_inflated)
    try:
        body = orjson.loads(data)  # also refuses invalid UTF-8 and lone surrogates
    except orjson.JSONDecodeError as e:
        raise ProtocolError(400, "bad_json", f"request body is not valid JSON: {e}") from None
    if not isinstance(body, dict):
        raise ProtocolError(400, "bad_json", "request body must be a JSON object")
    return body


#: what a hub can do beyond protocol 1, announced in ``hello`` ("features")
FEATURE_FINGERPRINT_SUM = "fingerprint_sum"
FEATURE_PUSH_FRAMES = "push_frames"
#: the hub answers an upload batch that asks for it (envelope ``"answer": ANSWER_COMPACT``) with the
#: number of changes accepted and the results of the others only, not one result per change
FEATURE_COMPACT_ANSWER = "compact_answer"
ANSWER_COMPACT = "compact"
#: Content-Type of an upload batch sent as frames (:func:`pack_frames`), gzip like the JSON form
FRAMES_CONTENT_TYPE = "application/x-station-frames"
_SUM_BITS = 256


def record_term(uid: str, version: int) -> int:
    """A record's term in :func:`fingerprint_sums`: SHA-256 of ``uid:version``, as an integer."""
    return int.from_bytes(hashlib.sha256(f"{uid}:{int(version)}".encode()).digest(), "big")


def sum_hex(total: int) -> str:
    return f"{total % (1 << _SUM_BITS):064x}"


def fingerprint_sums(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, Any]]:
    """Per-kind count and sum (mod 2**256) of :func:`record_term` over ``(kind, uid, version)`` rows.

    Compares like :func:`fingerprint` (order-free; any missing record or other version
    changes it), but a record's term can be added or taken out alone: the hub keeps this
    fingerprint up to date as it writes (``hub.fingerprints``) instead of reading all of a
    station's records for every sync's final check.
    """
    return {kind: {"count": n, "sum": sum_hex(total)} for kind, (n, total) in term_sums(rows).items()}


def term_sums(rows: Iterable[tuple[str, str, int]]) -> dict[str, list[int]]:
    """``{kind: [count, sum of record_term]}`` over ``(kind, uid, version)`` rows (the sum not reduced)."""
    acc: dict[str, list[int]] = {}
    for kind, uid, version in rows:
        a = acc.get(kind)
        if a is None:
            a = acc[kind] = [0, 0]
        a[0] += 1
        a[1] += record_term(uid, version)
    return acc


def fingerprint(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, Any]]:
    """Per-kind count and hash of ``(kind, uid, version)`` rows, independent of row order.

    The hash is SHA-256 over the sorted ``uid:version`` lines, so the station and the
    hub can compare what they hold without exchanging the rows.
    """
    by_kind: dict[str, list[str]] = {}
    for kind, uid, version in rows:
        lines = by_kind.get(kind)
        if lines is None:
            lines = by_kind[kind] = []
        lines.append(f"{uid}:{int(version)}")
    out: dict[str, dict[str, Any]] = {}
    for kind, lines in by_kind.items():
        lines.sort()
        out[kind] = {"count": len(lines),
                     "hash": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
    return out
