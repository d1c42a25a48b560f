"""The audit hash chain: appending a row and verifying the whole log.

Row ``n`` stores ``prev_hash`` = ``row_hash`` of row ``n - 1`` (64 zeros for row 1) and
``row_hash`` = SHA-256 over the canonical JSON of its content (every column but ``id`` and
``row_hash``). Changing, removing or inserting a row breaks the chain from that row on; removing
rows at the end is caught by the chain head (:class:`~finsam.audit.models.AuditChainHead`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connections, router, transaction

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "log_type",
    "action",
    "object_type",
    "object_id",
    "association_id",
    "summary",
    "changes",
    "reason",
    "prev_hash",
)


def _canon(value):
    """JSON values as they come back from either database (PostgreSQL's jsonb prints integral
    floats as integers, so they are hashed as integers)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    return value


def json_safe(value) -> dict:
    """What the JSONField stores and gives back (non-JSON values as text)."""
    return json.loads(json.dumps(value or {}, default=str))


def at_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(values: dict) -> str:
    content = {name: values.get(name) for name in HASHED_FIELDS}
    content["at"] = at_text(content["at"])
    content["changes"] = _canon(content["changes"] or {})
    content["association_id"] = (
        None if content["association_id"] is None else int(content["association_id"])
    )
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _head_for_update(using: str):
    from finsam.audit.models import AuditChainHead, AuditLog

    head = AuditChainHead.objects.using(using).select_for_update().filter(pk=1).first()
    if head is None:
        # Migration 0004 creates the head and a trigger keeps it. Missing with rows in the log
        # means someone removed it with the protection off: refuse to write past that.
        if AuditLog.objects.using(using).exists():
            raise RuntimeError(
                "Granskningsloggens kedjehuvud saknas – loggen kan ha manipulerats. "
                "Kör finsam audit-verify."
            )
        AuditChainHead.objects.using(using).get_or_create(
            pk=1, defaults={"seq": 0, "last_hash": GENESIS}
        )
        head = AuditChainHead.objects.using(using).select_for_update().get(pk=1)
    return head


def append(row) -> None:
    """Insert an unsaved :class:`AuditLog` as the next link (inside the caller's transaction;
    the chain head's row lock serialises concurrent appends until that transaction ends)."""
    from finsam.audit.models import AuditChainHead

    using = router.db_for_write(type(row))
    with transaction.atomic(using=using):
        head = _head_for_update(using)
        row.seq = head.seq + 1
        row.prev_hash = head.last_hash
        row.row_hash = compute_hash(_values_of(row))
        row.save(using=using, force_insert=True)
        AuditChainHead.objects.using(using).filter(pk=1).update(seq=row.seq, last_hash=row.row_hash)


def _values_of(row) -> dict:
    return {name: getattr(row, name) for name in HASHED_FIELDS}


@dataclass
class Verification:
    rows: int
    last_seq: int
    last_hash: str
    problem: str = ""
    problem_row_id: int | None = None
    problem_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(using: str = "default", *, check_triggers: bool = True) -> Verification:
    """Recompute the whole chain; the first row that does not match is named."""
    from finsam.audit.models import AuditChainHead, AuditLog
    from finsam.audit.schema import missing_triggers

    qs = (
        AuditLog.objects.using(using).order_by("seq", "id").values("id", *HASHED_FIELDS, "row_hash")
    )
    expected_seq, prev, n = 1, GENESIS, 0
    result = None
    for values in qs.iterator(chunk_size=2000):
        n += 1
        rid, seq = values["id"], values["seq"]

        def fail(message, *, rid=rid, seq=seq, n=n, good=expected_seq - 1, prev=prev):
            return Verification(n, good, prev, message, rid, seq)

        if seq is None:
            result = fail(f"rad id {rid} saknar löpnummer (lagd utanför Finsam)")
        elif seq != expected_seq:
            if seq > expected_seq:
                missing = (
                    f"nummer {expected_seq}"
                    if seq == expected_seq + 1
                    else f"nummer {expected_seq}–{seq - 1}"
                )
                result = fail(f"rad {missing} saknas (borttagen) före rad id {rid}")
            else:
                result = fail(f"rad id {rid} har ett löpnummer som redan använts ({seq})")
        elif values["prev_hash"] != prev:
            result = fail(
                f"rad id {rid} (nummer {seq}) pekar inte på föregående rad (kedjan bruten)"
            )
        elif compute_hash(values) != values["row_hash"]:
            result = fail(f"rad id {rid} (nummer {seq}) stämmer inte med sin hash (ändrad)")
        if result is not None:
            return result
        prev = values["row_hash"]
        expected_seq += 1
    result = Verification(n, expected_seq - 1, prev)
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    if head is None:
        result.problem = "kedjehuvudet saknas (borttaget)"
    elif (head.seq, head.last_hash) != (result.last_seq, result.last_hash):
        result.problem = (
            f"kedjehuvudet anger rad nummer {head.seq} som sista men loggen slutar på nummer "
            f"{result.last_seq} (rader borttagna i slutet)"
            if head.seq != result.last_seq
            else f"kedjehuvudets hash stämmer inte med sista raden (nummer {result.last_seq})"
        )
        result.problem_seq = result.last_seq + 1 if head.seq > result.last_seq else head.seq
    if check_triggers and not result.problem:
        missing = missing_triggers(connections[using])
        if missing:
            result.problem = "skyddet saknas i databasen (triggrar): " + ", ".join(missing)
    return result
