"""Why someone reads a person's identity: a choice from a fixed list plus a free-text reason,
both required, stored in the audit row (``reason``: "<purpose> – <text>")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from finsam.domain.problems import DomainValidationError, Problem

PURPOSES: dict[str, str] = {
    "handlaggning": _("Handläggning av deltagarens ärende"),
    "kontakt": _("Kontakt med deltagaren"),
    "registrering": _("Kontroll eller rättelse av registreringen"),
    "samverkan": _("Samordning med myndighet eller aktör enligt samtycke"),
    "registrerad": _("Den registrerades begäran (registerutdrag, rättelse, radering)"),
    "uppfoljning": _("Uppföljning eller utvärdering enligt beslut"),
    "tillsyn": _("Tillsyn, revision eller incidentutredning"),
}


def purpose_choices() -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in PURPOSES.items()]


def reason_text(
    *, purpose: str, reason: str, purpose_field="purpose", reason_field="reason"
) -> str:
    """The audit reason for an identity access; refuses a missing purpose or an empty reason."""
    problems = []
    if purpose not in PURPOSES:
        problems.append(
            Problem(
                purpose_field,
                "identity.purpose_required",
                str(_("Välj ändamål för att visa identitetsuppgifter.")),
            )
        )
    text = " ".join((reason or "").split())
    if not text:
        problems.append(
            Problem(
                reason_field,
                "identity.reason_required",
                str(_("Skriv skälet till att du behöver se identitetsuppgifterna (loggas).")),
            )
        )
    if problems:
        raise DomainValidationError(problems)
    return f"{PURPOSES[purpose]} – {text}"[:300]


def require_reason(reason: str, field: str = "reason") -> str:
    """A reason already composed (by a command or another service) must not be empty."""
    text = " ".join((reason or "").split())
    if not text:
        raise DomainValidationError(
            [
                Problem(
                    field,
                    "identity.reason_required",
                    str(_("Skäl krävs för att läsa identitetsuppgifter (loggas).")),
                )
            ]
        )
    return text[:300]
