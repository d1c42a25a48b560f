"""The rules of an association, its area and its members (``domain.md`` §2): pure checks of
the values, each problem a Swedish message naming the field and the rule. What needs stored data
(code uniqueness, one association per municipality at a time) is the registry services'; the
valid municipality codes are given.
"""

from __future__ import annotations

from datetime import date

from finsam.domain import codelists as cl
from finsam.domain import registration as rules
from finsam.domain.problems import Problem


def validate_association(values: dict) -> list[Problem]:
    """The checks of an association (``association_save``) except code uniqueness (shared with
    the importer)."""
    problems: list[Problem] = []
    if not (values.get("code") or "").strip():
        problems.append(Problem("code", "required", "Kod måste anges."))
    if not (values.get("name") or "").strip():
        problems.append(Problem("name", "required", "Namn måste anges."))
    if values.get("org_number"):
        problems += rules.validate_org_number(values["org_number"])
    if values.get("start_date") is None:
        problems.append(Problem("start_date", "required", "Startdatum måste anges."))
    else:
        problems += rules.check_date_not_before_law("start_date", values["start_date"])
        end = values.get("end_date")
        if end and end < values["start_date"]:
            problems.append(
                Problem(
                    "end_date", "date.end_before_start", "Slutdatum får inte vara före startdatum."
                )
            )
    return problems


def validate_area(
    *,
    municipality_code: str,
    valid_from: date | None,
    valid_to: date | None,
    known_municipalities: frozenset[str],
) -> list[Problem]:
    """The checks of one area row except the overlap with other associations."""
    problems: list[Problem] = []
    if valid_from is None:
        problems.append(Problem("valid_from", "required", "Giltig från måste anges."))
    else:
        problems += rules.check_date_not_before_law("valid_from", valid_from)
        if valid_to and valid_to < valid_from:
            problems.append(
                Problem(
                    "valid_to",
                    "date.end_before_start",
                    "Giltig till får inte vara före giltig från.",
                )
            )
    if municipality_code not in known_municipalities:
        problems.append(
            Problem(
                "municipality",
                "code.unknown",
                f"Kommun: ”{municipality_code}” är ingen giltig kommunkod.",
            )
        )
    return problems


def validate_member(
    *, kind: str, organisation_code: str, name: str, known_municipalities: frozenset[str]
) -> list[Problem]:
    """The checks of a member of an association (``member_add``, shared with the importer)."""
    problems: list[Problem] = rules.check_code("kind", kind, cl.MEMBER_KIND)
    if kind == "MUNICIPALITY" and organisation_code not in known_municipalities:
        problems.append(
            Problem(
                "organisation_code",
                "code.unknown",
                "Organisationskod: en kommun anges med sin fyrsiffriga kommunkod.",
            )
        )
    if kind == "REGION" and not (len(organisation_code) == 2 and organisation_code.isdigit()):
        problems.append(
            Problem(
                "organisation_code",
                "code.unknown",
                "Organisationskod: en region anges med sin tvåsiffriga länskod.",
            )
        )
    if kind in ("FK", "AF") and organisation_code != kind:
        problems.append(
            Problem(
                "organisation_code",
                "code.unknown",
                f"Organisationskod: {kind} anges med koden {kind}.",
            )
        )
    if not (name or "").strip():
        problems.append(Problem("name", "required", "Namn måste anges."))
    return problems
