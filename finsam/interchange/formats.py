"""The registry files of ``interchange.md``: columns, required columns and keys, as data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileFormat:
    kind: str
    """The command-line name (``finsam import KIND``)."""
    label: str
    """Swedish name for pages and messages."""
    columns: tuple[str, ...]
    """Every column, in the documented order (the export writes them in this order)."""
    required: tuple[str, ...]
    """Columns that must be present in the header."""
    key: tuple[str, ...]
    """The columns that identify a record (idempotent re-import)."""
    also_accepted: tuple[str, ...] = ()
    """Columns the import reads besides ``columns`` (an export may write them instead of one of
    ``columns``: ``pseudonym`` for ``personal_number`` in an export without identity)."""

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every column the import reads."""
        return self.columns + self.also_accepted

    @property
    def file_name(self) -> str:
        return self.kind.replace("-", "_") + ".csv"


FORMATS: dict[str, FileFormat] = {
    f.kind: f
    for f in (
        FileFormat(
            "associations",
            "Samordningsförbund",
            ("code", "name", "org_number", "start_date", "end_date", "seat_municipality"),
            ("code", "name", "start_date"),
            ("code",),
        ),
        FileFormat(
            "association-municipalities",
            "Förbundens kommuner",
            ("association_code", "municipality_code", "valid_from", "valid_to"),
            ("association_code", "municipality_code", "valid_from"),
            ("association_code", "municipality_code", "valid_from"),
        ),
        FileFormat(
            "members",
            "Medlemmar",
            ("association_code", "member_kind", "organisation_code", "name"),
            ("association_code", "member_kind", "organisation_code", "name"),
            ("association_code", "member_kind", "organisation_code"),
        ),
        FileFormat(
            "interventions",
            "Insatser",
            (
                "code",
                "association_code",
                "name",
                "orientation",
                "registration",
                "start_date",
                "end_date",
                "providers",
                "target_groups",
                "esf",
                "planned_participants",
            ),
            ("code", "association_code", "name", "orientation", "registration", "start_date"),
            ("code",),
        ),
        FileFormat(
            "episodes",
            "Inskrivningar",
            (
                "episode_key",
                "intervention_code",
                "personal_number",
                "consent_date",
                "protected_identity",
                "sex",
                "birth_year",
                "home_municipality",
                "start_date",
                "support_before",
                "occupation_before",
                "time_on_support",
                "education",
                "end_date",
                "exit_reason",
                "support_after",
                "occupation_after",
                "work_hours",
                "study_hours",
                "work_hours_before",
                "study_hours_before",
            ),
            (
                "episode_key",
                "intervention_code",
                "home_municipality",
                "start_date",
                "support_before",
            ),
            ("episode_key",),
            ("pseudonym",),
        ),
        FileFormat(
            "volume",
            "Volymuppgifter",
            ("intervention_code", "month", "women", "men", "other"),
            ("intervention_code", "month"),
            ("intervention_code", "month"),
        ),
        FileFormat(
            "followups",
            "Uppföljningar",
            ("episode_key", "months_after", "support", "occupation", "work_hours", "study_hours"),
            ("episode_key", "months_after", "support"),
            ("episode_key", "months_after"),
        ),
    )
}

KINDS = tuple(FORMATS)

COLUMN_LABELS = {
    "code": "Kod",
    "name": "Namn",
    "org_number": "Organisationsnummer",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "seat_municipality": "Säteskommun",
    "association_code": "Förbundets kod",
    "municipality_code": "Kommunkod",
    "valid_from": "Giltig från",
    "valid_to": "Giltig till",
    "member_kind": "Medlemstyp",
    "organisation_code": "Organisationskod",
    "orientation": "Inriktning",
    "registration": "Registreringssätt",
    "providers": "Anordnare",
    "target_groups": "Målgrupper",
    "esf": "ESF",
    "planned_participants": "Planerat antal deltagare",
    "episode_key": "Inskrivningsnyckel",
    "intervention_code": "Insatskod",
    "personal_number": "Personnummer",
    "pseudonym": "Pseudonym",
    "consent_date": "Samtycke",
    "protected_identity": "Skyddad identitet",
    "sex": "Kön",
    "birth_year": "Födelseår",
    "home_municipality": "Hemkommun",
    "support_before": "Försörjning före",
    "occupation_before": "Sysselsättning före",
    "time_on_support": "Tid i offentlig försörjning",
    "education": "Utbildning",
    "exit_reason": "Avslutningsanledning",
    "support_after": "Försörjning efter",
    "occupation_after": "Sysselsättning efter",
    "work_hours": "Arbete, timmar per vecka",
    "study_hours": "Studier, timmar per vecka",
    "work_hours_before": "Arbete före, timmar per vecka",
    "study_hours_before": "Studier före, timmar per vecka",
    "month": "Månad",
    "women": "Kvinnor",
    "men": "Män",
    "other": "Annat/okänt kön",
    "months_after": "Månader efter avslut",
    "support": "Försörjning",
    "occupation": "Sysselsättning",
}


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)
