"""Exporting the registry files of ``interchange.md`` (the same columns the importer reads).

Rows are streamed from the database and filtered by the acting user's permissions. Episodes carry
the pseudonym (column ``pseudonym`` instead of ``personal_number``) unless the identity is asked
for and the user may see it (VIEW_IDENTITY on every intervention in the export); every export is
one audit row (``LogType.EXPORT``) with the count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from finsam.access.permissions import association_filter, can, intervention_filter
from finsam.audit.models import LogType
from finsam.audit.services import audit_identity_read, audit_record
from finsam.domain import codelists as cl
from finsam.domain import safe_cells
from finsam.domain.access import Action
from finsam.interchange.formats import FORMATS
from finsam.registry import services
from finsam.registry.models import (
    Association,
    AssociationMunicipality,
    Consent,
    Episode,
    FollowUp,
    Intervention,
    Member,
    VolumeCount,
)

PSEUDONYMISED_EPISODE_COLUMNS = tuple(
    "pseudonym" if c == "personal_number" else c for c in FORMATS["episodes"].columns
)


class ExportDenied(Exception):
    """The user may not make this export (message in Swedish)."""


@dataclass
class ExportResult:
    kind: str
    rows: int
    with_identity: bool
    path: Path


def _d(value) -> str:
    return value.isoformat() if value else ""


def _n(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _codes(mask: int) -> str:
    return ";".join(cl.support_codes(mask))


def _scope(qs, user, association: Association | None):
    """Rows of one association (optional), and only associations the user may see."""
    if association is not None:
        qs = qs.filter(association=association)
    if user is not None:
        qs = qs.filter(association_filter(user, Action.VIEW_ASSOCIATION, prefix="association__"))
    return qs


def _associations(user, association) -> Iterator[list[str]]:
    qs = Association.objects.select_related("seat_municipality").order_by("code")
    if association is not None:
        qs = qs.filter(pk=association.pk)
    if user is not None:
        qs = qs.filter(association_filter(user, Action.VIEW_ASSOCIATION))
    for a in qs.iterator(chunk_size=2000):
        yield [
            a.code,
            a.name,
            a.org_number,
            _d(a.start_date),
            _d(a.end_date),
            a.seat_municipality_id or "",
        ]


def _area(user, association) -> Iterator[list[str]]:
    qs = AssociationMunicipality.objects.select_related("association").order_by(
        "association__code", "municipality_id", "valid_from"
    )
    qs = _scope(qs, user, association)
    for r in qs.iterator(chunk_size=2000):
        yield [r.association.code, r.municipality_id, _d(r.valid_from), _d(r.valid_to)]


def _members(user, association) -> Iterator[list[str]]:
    qs = Member.objects.select_related("association").order_by(
        "association__code", "kind", "organisation_code"
    )
    qs = _scope(qs, user, association)
    for m in qs.iterator(chunk_size=2000):
        yield [m.association.code, m.kind, m.organisation_code, m.name]


def _interventions(user, association) -> Iterator[list[str]]:
    qs = (
        Intervention.objects.select_related("association")
        .prefetch_related("providers")
        .order_by("code")
    )
    if association is not None:
        qs = qs.filter(association=association)
    if user is not None:
        qs = qs.filter(intervention_filter(user, Action.VIEW_INTERVENTION))
    for i in qs.iterator(chunk_size=500):
        kinds = sorted({m.kind for m in i.providers.all()}, key=cl.MEMBER_KIND.code_values.index)
        yield [
            i.code,
            i.association.code,
            i.name,
            i.orientation,
            i.registration,
            _d(i.start_date),
            _d(i.end_date),
            ";".join(kinds),
            ";".join(i.target_groups),
            "1" if i.esf else "0",
            _n(i.planned_participants),
        ]


def _volume(user, association) -> Iterator[list[str]]:
    qs = VolumeCount.objects.select_related("intervention").order_by("intervention__code", "month")
    if association is not None:
        qs = qs.filter(intervention__association=association)
    if user is not None:
        qs = qs.filter(intervention_filter(user, Action.VIEW_INTERVENTION, prefix="intervention__"))
    for v in qs.iterator(chunk_size=2000):
        yield [
            v.intervention.code,
            v.month.strftime("%Y-%m"),
            str(v.women),
            str(v.men),
            str(v.other),
        ]


def _episode_scope(qs, user, association, prefix: str):
    if association is not None:
        qs = qs.filter(**{f"{prefix}intervention__association": association})
    if user is not None and not can(user, Action.EXPORT_MICRODATA):
        qs = qs.filter(
            intervention_filter(user, Action.VIEW_EPISODES, prefix=f"{prefix}intervention__")
        )
    return qs


def _followups(user, association) -> Iterator[list[str]]:
    qs = FollowUp.objects.select_related("episode").order_by("episode__key", "months_after")
    qs = _episode_scope(qs, user, association, "episode__")
    for f in qs.iterator(chunk_size=2000):
        yield [
            f.episode.key,
            str(f.months_after),
            _codes(f.support),
            f.occupation,
            _n(f.work_hours),
            _n(f.study_hours),
        ]


def _episodes(
    user, association, with_identity: bool, counter: list[int], identified: set[int]
) -> Iterator[list[str]]:
    qs = Episode.objects.select_related("intervention", "participant").order_by("key")
    qs = _episode_scope(qs, user, association, "")
    cipher = services.identity_cipher() if with_identity else None
    batch: list[Episode] = []

    def flush():
        consents: dict[int, list] = {}
        ids = [e.participant_id for e in batch if e.participant.is_identified]
        for pid, given in (
            Consent.objects.filter(participant_id__in=ids, withdrawn_date__isnull=True)
            .order_by("given_date")
            .values_list("participant_id", "given_date")
        ):
            consents.setdefault(pid, []).append(given)
        for e in batch:
            p = e.participant
            identity = ""
            if p.is_identified:
                if cipher is not None and p.identity_encrypted:
                    number = cipher.decrypt(p.identity_encrypted)
                    identity = f"{number[:8]}-{number[8:]}"
                elif cipher is None:
                    identity = p.pseudonym or ""
            counter[0] += 1
            if cipher is not None and identity:
                identified.add(p.pk)
            yield [
                e.key,
                e.intervention.code,
                identity,
                _consent_for(consents.get(p.pk, []), e.start_date),
                "1" if p.protected_identity else "",
                e.sex,
                _n(p.birth_year),
                e.home_municipality_id,
                _d(e.start_date),
                _codes(e.support_before),
                e.occupation_before,
                e.time_on_support,
                e.education,
                _d(e.end_date),
                e.exit_reason,
                _codes(e.support_after) if e.end_date else "",
                e.occupation_after,
                _n(e.work_hours),
                _n(e.study_hours),
                _n(e.work_hours_before),
                _n(e.study_hours_before),
            ]

    for episode in qs.iterator(chunk_size=2000):
        batch.append(episode)
        if len(batch) >= 2000:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _consent_for(given: list, start) -> str:
    """The consent an episode was registered under: the latest given on or before its start
    (else the earliest one)."""
    if not given:
        return ""
    before = [d for d in given if d <= start]
    return (before[-1] if before else given[0]).isoformat()


def _check_identity_permission(user, association) -> None:
    if user is None:
        raise ExportDenied(
            "Export med personnummer kräver --user med behörighet att se identitetsuppgifter."
        )
    qs = Intervention.objects.all()
    if association is not None:
        qs = qs.filter(association=association)
    qs = qs.filter(Q(episodes__isnull=False)).distinct()
    denied = [i.code for i in qs if not can(user, Action.VIEW_IDENTITY, intervention=i)]
    if denied:
        raise ExportDenied(
            "Du har inte behörighet att se identitetsuppgifter för insatserna "
            f"{', '.join(sorted(denied)[:5])}; begränsa exporten med "
            "--association eller exportera utan personnummer."
        )


def export_file(
    kind: str,
    output: Path | str,
    *,
    user=None,
    association: Association | None = None,
    with_identity: bool = False,
    reason: str = "",
) -> ExportResult:
    """Write ``kind`` to ``output`` (``.xlsx`` → a workbook, otherwise CSV UTF-8). With identity
    a ``reason`` is required; one access row per person whose identity leaves is written."""
    if kind not in FORMATS:
        raise ValueError(f"unknown kind {kind!r}")
    if with_identity and kind != "episodes":
        with_identity = False
    if user is not None and not (
        can(user, Action.VIEW_ASSOCIATION) or can(user, Action.EXPORT_MICRODATA)
    ):
        raise ExportDenied("Du har inte behörighet att exportera uppgifter.")
    if with_identity:
        _check_identity_permission(user, association)
    if with_identity and not " ".join(reason.split()):
        raise ExportDenied("Export med personnummer kräver ett skäl (--reason), som loggas.")
    reason = " ".join(reason.split())[:300]
    columns = list(FORMATS[kind].columns)
    counter = [0]
    identified: set[int] = set()
    if kind == "episodes":
        rows = _episodes(user, association, with_identity, counter, identified)
        if not with_identity:
            columns = list(PSEUDONYMISED_EPISODE_COLUMNS)
    else:
        rows = {
            "associations": _associations,
            "association-municipalities": _area,
            "members": _members,
            "interventions": _interventions,
            "volume": _volume,
            "followups": _followups,
        }[kind](user, association)
    output = Path(output)
    with transaction.atomic():
        n = _write(output, columns, rows)
        audit_record(
            actor=user,
            log_type=LogType.EXPORT,
            action=f"export_{kind}" + ("_identity" if with_identity else ""),
            object_type="interchange.export",
            association_id=association.pk if association else None,
            summary=f"Export av {kind}: {n} rader" + (" med personnummer" if with_identity else ""),
            changes={
                "kind": kind,
                "rows": n,
                "with_identity": with_identity,
                "identities": counter[0] if with_identity else 0,
                "persons": len(identified),
            },
            reason=reason if with_identity else "",
        )
        for pid in sorted(identified):
            audit_identity_read(
                actor=user,
                obj=None,
                object_type="registry.Participant",
                object_id=pid,
                association_id=association.pk if association else None,
                reason=reason,
                summary=f"Personnummer i export av {kind} till {output.name}",
            )
    return ExportResult(kind=kind, rows=n, with_identity=with_identity, path=output)


def _write(output: Path, columns: list[str], rows: Iterator[list[str]]) -> int:
    n = 0
    if output.suffix.lower() == ".xlsx":
        wb = safe_cells.workbook(
            str(output), {"constant_memory": True, "strings_to_numbers": False}
        )
        ws = wb.add_worksheet("data")
        ws.write_row(0, 0, columns)
        for n, row in enumerate(rows, start=1):
            ws.write_row(n, 0, row)
        wb.close()
        return n
    with open(output, "w", encoding="utf-8", newline="") as fh:
        writer = safe_cells.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n
