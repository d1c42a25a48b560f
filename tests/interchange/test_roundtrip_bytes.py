"""For every kind: what ``finsam export KIND`` writes, ``finsam import KIND`` accepts into an empty
database, and the export afterwards is the same file byte for byte – registration errors (FEL
without an end date) and the pseudonymised episodes file included (``interchange.md``)."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import call_command

from finsam.interchange.synthetic import LOAD_ORDER, generate
from tests.interchange.test_roundtrip import load, wipe_registry

FILE = {kind: kind.replace("-", "_") + ".csv" for kind in LOAD_ORDER}


def _identity_reader():
    """A user who may see the identities of every intervention (assignments renewed after a
    wipe)."""
    from finsam.access.models import InterventionAssignment, RoleAssignment
    from finsam.accounts.models import User
    from finsam.domain.access import Role
    from finsam.registry.models import Association, Intervention

    handler, _ = User.objects.get_or_create(username="roundtrip-handler")
    for association in Association.objects.all():
        RoleAssignment.objects.get_or_create(
            user=handler, role=Role.PARTICIPANT_HANDLER, association=association
        )
    for intervention in Intervention.objects.all():
        InterventionAssignment.objects.get_or_create(
            user=handler, intervention=intervention, kind="handler"
        )
    if hasattr(handler, "_finsam_principal"):
        del handler._finsam_principal
    return handler.username


def export_all(directory) -> None:
    """Every kind into ``directory``; episodes twice: with identity (``episodes.csv``) and
    pseudonymised (``episodes_pseudonym.csv``)."""
    directory.mkdir(exist_ok=True)
    for kind in LOAD_ORDER:
        out = str(directory / FILE[kind])
        if kind == "episodes":
            user = _identity_reader()
            call_command(
                "export",
                kind,
                "--output",
                out,
                "--with-identity",
                "--user",
                user,
                "--reason",
                "Flytt till nytt system (test)",
                stdout=StringIO(),
            )
            out = str(directory / "episodes_pseudonym.csv")
        call_command("export", kind, "--output", out, stdout=StringIO())


@pytest.fixture
def exported(db, tmp_path):
    """A small synthetic data set (every kind, anonymous and returning persons, follow-ups,
    volume) with two episodes marked as registration errors (one still open, one finished),
    exported."""
    from finsam.accounts.models import User
    from finsam.registry import services
    from finsam.registry.models import Episode

    generate(tmp_path / "in", associations=2, episodes=160, seed=11)
    load(tmp_path / "in")

    root = User.objects.create_superuser("root", password="pw-root-123456")
    people = Episode.objects.filter(participant__identity_level="identified")
    still_open = people.filter(end_date__isnull=True).order_by("key").first()
    finished = people.filter(end_date__isnull=False).exclude(exit_reason="FEL").order_by("key")[0]
    for episode in (still_open, finished):
        services.episode_mark_error(actor=root, episode=episode, reason="Fel person registrerad")
    directory = tmp_path / "first"
    export_all(directory)
    with open(directory / "episodes.csv", encoding="utf-8") as fh:
        rows = {r["episode_key"]: r for r in csv.DictReader(fh)}
    assert (rows[still_open.key]["exit_reason"], rows[still_open.key]["end_date"]) == ("FEL", "")
    assert rows[finished.key]["exit_reason"] == "FEL" and rows[finished.key]["end_date"]
    return directory


@pytest.mark.parametrize("kind", LOAD_ORDER)
def test_an_export_imports_into_an_empty_database_and_exports_identically(exported, tmp_path, kind):
    wipe_registry()
    load(exported)
    again = tmp_path / "again"
    export_all(again)
    assert (again / FILE[kind]).read_bytes() == (exported / FILE[kind]).read_bytes()
    if kind == "episodes":
        name = "episodes_pseudonym.csv"
        assert (again / name).read_bytes() == (exported / name).read_bytes()


def test_the_export_without_identity_imports_into_an_empty_database_and_exports_identically(
    exported, tmp_path
):
    from finsam.registry.models import Participant

    wipe_registry()
    load(exported, names={"episodes": "episodes_pseudonym.csv"})
    again = tmp_path / "again"
    again.mkdir()
    for kind in ("episodes", "followups"):
        call_command("export", kind, "--output", str(again / FILE[kind]), stdout=StringIO())
        assert (again / FILE[kind]).read_bytes() == (
            exported / ("episodes_pseudonym.csv" if kind == "episodes" else FILE[kind])
        ).read_bytes()
    # The people are known by pseudonym only: no identity number is stored for them.
    identified = Participant.objects.filter(identity_level="identified")
    assert identified.exists()
    assert not identified.exclude(identity_encrypted="").exists()


def test_the_export_without_identity_links_to_the_same_persons(exported):
    """With the same pseudonym key (the same installation) the pseudonymised file re-imports onto
    the persons and episodes already there: nothing new, nothing changed."""
    from finsam.registry.models import Consent, Episode, Participant

    before = (Participant.objects.count(), Consent.objects.count(), Episode.objects.count())
    out = StringIO()
    call_command("import", "episodes", str(exported / "episodes_pseudonym.csv"), stdout=out)
    assert (Participant.objects.count(), Consent.objects.count(), Episode.objects.count()) == before
    assert " 0 nya" in out.getvalue() or "0 skapade" in out.getvalue(), out.getvalue()


def test_budget_lines_export_imports_into_an_empty_database_and_exports_identically(
    exported, tmp_path
):
    """The one kind outside the registry (``finsam export budget-lines``) round-trips too."""
    from finsam.finance.models import BudgetLine
    from finsam.registry.models import Association, Intervention

    intervention = Intervention.objects.order_by("code").first()
    own = intervention.association.code
    other = Association.objects.exclude(pk=intervention.association_id).order_by("code")[0].code
    source = tmp_path / "budget_lines_in.csv"
    source.write_text(
        "association_code,year,line,category,intervention_code,budget,actual\n"
        f"{own},2024,resource,FK,,1000000,1000000\n"
        f"{own},2024,admin_cost,DIRECTOR,,829980.50,\n"
        f"{own},2024,intervention_cost,,{intervention.code},600000,540000\n"
        f"{other},2025,resource,FK,,250000,\n",
        encoding="utf-8",
    )
    call_command("import", "budget-lines", str(source), stdout=StringIO(), stderr=StringIO())
    first = tmp_path / "budget_lines_first.csv"
    call_command("export", "budget-lines", "--output", str(first), stdout=StringIO())

    BudgetLine.objects.all().delete()
    wipe_registry()
    load(exported)
    assert not BudgetLine.objects.exists()
    call_command("import", "budget-lines", str(first), stdout=StringIO(), stderr=StringIO())
    again = tmp_path / "budget_lines_again.csv"
    call_command("export", "budget-lines", "--output", str(again), stdout=StringIO())
    assert BudgetLine.objects.count() == 4
    assert again.read_bytes() == first.read_bytes()
