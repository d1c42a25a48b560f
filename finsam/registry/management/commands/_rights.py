"""Shared argument handling for the registered person's rights commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from finsam.domain.problems import DomainValidationError


def add_common(parser) -> None:
    parser.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="Den som utför åtgärden (deltagaransvarig; behörigheten kontrolleras och loggas).",
    )
    parser.add_argument("--personnummer", required=True, help="Personens personnummer.")


def resolve(user: str, personnummer: str):
    from finsam.accounts.models import User
    from finsam.registry import rights

    actor = User.objects.filter(username=user, is_active=True).first()
    if actor is None:
        raise CommandError(f"Användaren ”{user}” finns inte eller är inte aktiv.")
    try:
        participant = rights.find_participant(personnummer)
    except DomainValidationError as exc:
        raise CommandError(str(exc)) from None
    if participant is None or not rights.may_handle_rights(actor, participant):
        raise CommandError(
            "Personen finns inte i registret, eller så har du inte behörighet att hantera "
            "den registrerades rättigheter för personen."
        )
    return actor, participant
