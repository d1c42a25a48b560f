"""The import command: all-or-nothing, error report, idempotence, identity protection, audit."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import PNR_MAN, PNR_WOMAN
from tests.interchange.conftest import EPISODE_HEADER, episode_rows, write_csv
from tests.registry.test_privacy import FORMS_OF_THE_NUMBER, dump_database


def run_import(*args, **kw):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import", *[str(a) for a in args], stdout=out, stderr=err, **kw)
    return out.getvalue(), err.getvalue()


def counts():
    from finsam.registry.models import Consent, Episode, Participant

    return (Episode.objects.count(), Participant.objects.count(), Consent.objects.count())


def test_one_bad_row_in_the_middle_imports_nothing_and_is_reported(world, episodes_file, tmp_path):
    rows = episode_rows(9)
    rows[4][8] = "2024-13-45"  # line 6 (the header is line 1): not a date
    path = episodes_file(rows)
    errors = tmp_path / "fel.csv"
    with pytest.raises(CommandError) as exc:
        run_import("episodes", path, "--errors", errors)
    assert "ingenting har importerats" in str(exc.value)
    assert counts() == (0, 0, 0)
    report = list(csv.DictReader(errors.open(encoding="utf-8")))
    assert [(r["row"], r["column"], r["value"], r["rule"]) for r in report] == [
        ("6", "start_date", "2024-13-45", "format.date")
    ]
    assert "Startdatum" in report[0]["message"] and "ÅÅÅÅ-MM-DD" in report[0]["message"]


def test_fixed_file_imports_everything_and_again_changes_nothing(world, episodes_file):
    from finsam.audit.models import AuditLog
    from finsam.registry.models import Episode

    path = episodes_file(episode_rows(9))
    out, _ = run_import("episodes", path)
    assert "9 skapade, 0 uppdaterade, 0 oförändrade" in out
    assert counts() == (9, 9, 2)  # 7 anonymous + 2 identified, each with a consent
    out, _ = run_import("episodes", path)
    assert "0 skapade, 0 uppdaterade, 9 oförändrade" in out
    assert Episode.objects.count() == 9
    audits = AuditLog.objects.filter(action="import_episodes")
    assert audits.count() == 2
    first = audits.order_by("id").first()
    assert first.changes["created"] == 9 and len(first.changes["sha256"]) == 64
    assert first.changes["file"] == "episodes.csv" and first.actor_label == "system"


def test_a_changed_row_updates_its_record(world, episodes_file):
    from finsam.registry.models import Episode

    rows = episode_rows(4)
    run_import("episodes", episodes_file(rows))
    rows[1][10:13] = ["2024-06-30", "STU", "STU"]  # the man exits
    out, _ = run_import("episodes", episodes_file(rows))
    assert "0 skapade, 1 uppdaterade, 3 oförändrade" in out
    ep = Episode.objects.get(key="K-2")
    assert ep.end_date == date(2024, 6, 30) and ep.exit_reason == "STU"
    assert ep.support_after_codes == ("STU",)


def test_derived_values_and_identity_protection(world, episodes_file):
    from finsam.registry.models import Episode, Participant

    run_import("episodes", episodes_file(episode_rows(3)))
    woman = Episode.objects.get(key="K-1")
    assert woman.sex == "K" and woman.age_at_start == 34 and woman.participant.birth_year == 1990
    assert woman.participant.pseudonym and woman.participant.identity_encrypted
    assert woman.work_study_increased is True
    assert Episode.objects.get(key="K-2").sex == "M"
    anon = Episode.objects.get(key="K-3")
    assert anon.participant.identity_level == Participant.Level.ANONYMOUS
    assert anon.age_at_start == 2024 - 1983
    dump = dump_database()
    for form in [*FORMS_OF_THE_NUMBER, "198506152399", "19850615-2399"]:
        assert form not in dump


def test_same_person_links_to_one_participant_and_overlap_is_refused(world, episodes_file):
    from finsam.registry.models import Participant

    rows = episode_rows(2)
    # The woman again, later, after her first episode ended: fine, same participant.
    rows.append(
        [
            "K-9",
            "SBG-IND",
            "900101-0009",
            "2024-03-01",
            "",
            "",
            "",
            "0183",
            "2025-01-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    run_import("episodes", episodes_file(rows))
    assert Participant.objects.filter(identity_level="identified").count() == 2
    # Overlapping with her stored episode: refused, naming the rule.
    rows2 = [
        [
            "K-10",
            "SBG-IND",
            PNR_WOMAN,
            "2024-03-01",
            "",
            "",
            "",
            "0183",
            "2024-05-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ]
    ]
    with pytest.raises(CommandError):
        run_import("episodes", episodes_file(rows2, name="b.csv"), "--errors", "/dev/null")
    from finsam.interchange.importers import import_file

    result = import_file("episodes", episodes_file(rows2, name="c.csv"))
    assert [(p.row, p.rule) for p in result.problems] == [(2, "enrolment.overlap")]


def test_rules_are_those_of_the_web_forms(world, episodes_file):
    from finsam.interchange.importers import import_file

    rows = [
        [
            "A",
            "SBG-IND",
            "19900101-0008",
            "2024-03-01",
            "",
            "",
            "",
            "0183",
            "2024-03-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ],  # wrong check digit
        [
            "B",
            "SBG-IND",
            PNR_MAN,
            "",
            "",
            "",
            "",
            "0183",
            "2024-03-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ],  # identified without consent
        [
            "C",
            "SBG-IND",
            PNR_MAN,
            "2024-01-01",
            "1",
            "",
            "",
            "0183",
            "2024-03-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ],  # protected identity must be anonymous
        [
            "D",
            "SBG-IND",
            "",
            "",
            "",
            "K",
            "1990",
            "9999",
            "2024-03-01",
            "SAK",
            "",
            "",
            "",
            "",
            "",
        ],  # unknown municipality, SAK before
        [
            "E",
            "SBG-VOL",
            "",
            "",
            "",
            "K",
            "1990",
            "0183",
            "2024-03-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ],  # volume intervention
        [
            "F",
            "SBG-IND",
            "",
            "",
            "",
            "K",
            "1990",
            "0183",
            "2024-03-01",
            "FSS",
            "2024-02-01",
            "ARB",
            "ING",
            "",
            "",
        ],  # ends before it starts
        ["G", "NOPE", "", "", "", "K", "1990", "0183", "2024-03-01", "FSS", "", "", "", "", ""],
        [
            "H",
            "SBG-IND",
            "",
            "",
            "",
            "K",
            "1990",
            "0180",
            "2024-03-01",
            "FSS",
            "",
            "",
            "",
            "",
            "",
        ],  # outside the area: only a warning
    ]
    result = import_file("episodes", episodes_file(rows))
    found = {(p.row, p.field, p.rule) for p in result.problems}
    assert {
        (2, "personal_number", "identity.checksum"),
        (3, "consent_date", "consent.required"),
        (4, "protected_identity", "identity.protected"),
        (5, "home_municipality", "code.unknown"),
        (5, "support_before", "support.missing_before"),
        (6, "intervention_code", "enrolment.intervention_kind"),
        (7, "end_date", "date.end_before_start"),
        (8, "intervention_code", "code.unknown"),
    } <= found
    assert not any(p.row == 9 for p in result.problems)
    assert [(p.row, p.rule) for p in result.warnings] == [(9, "enrolment.outside_area")]
    assert counts() == (0, 0, 0)


def test_duplicate_keys_unknown_and_missing_columns(world, tmp_path, episodes_file):
    from finsam.interchange.importers import import_file

    rows = episode_rows(3)
    rows[2][0] = "K-1"
    result = import_file("episodes", episodes_file(rows))
    assert [(p.row, p.rule) for p in result.problems] == [(4, "file.duplicate_key")]

    path = write_csv(tmp_path / "x.csv", [*EPISODE_HEADER, "comment"], [])
    result = import_file("episodes", path)
    assert [(p.field, p.rule) for p in result.problems] == [("comment", "file.unknown_column")]

    path = write_csv(tmp_path / "y.csv", [c for c in EPISODE_HEADER if c != "start_date"], [])
    result = import_file("episodes", path)
    assert [(p.field, p.rule) for p in result.problems] == [("start_date", "file.missing_column")]

    # Optional columns may be left out.
    header = [
        "episode_key",
        "intervention_code",
        "sex",
        "birth_year",
        "home_municipality",
        "start_date",
        "support_before",
    ]
    path = write_csv(
        tmp_path / "z.csv", header, [["Z1", "SBG-IND", "X", "2001", "0183", "2024-01-01", "FSS"]]
    )
    assert import_file("episodes", path).created == 1


def test_semicolons_bom_and_xlsx(world, tmp_path):
    from openpyxl import Workbook

    from finsam.interchange.importers import import_file
    from finsam.registry.models import Episode

    path = write_csv(
        tmp_path / "semi.csv", EPISODE_HEADER, episode_rows(3), delimiter=";", bom=True
    )
    assert import_file("episodes", path).created == 3
    wb = Workbook()
    ws = wb.active
    ws.append(EPISODE_HEADER)
    for row in episode_rows(5):
        ws.append(row)
    ws["I6"] = date(2024, 5, 1)  # a real date cell
    wb.create_sheet("ignored").append(["nothing"])
    wb.save(tmp_path / "e.xlsx")
    result = import_file("episodes", tmp_path / "e.xlsx")
    assert result.ok, result.problems
    assert (result.created, result.unchanged) == (2, 3)
    assert Episode.objects.get(key="K-5").start_date == date(2024, 5, 1)


def test_dry_run_writes_nothing_but_counts(world, episodes_file):
    from finsam.audit.models import AuditLog

    out, _ = run_import("episodes", episodes_file(), "--dry-run")
    assert out.startswith("Provkörning") and "10 skulle skapas" in out
    assert counts() == (0, 0, 0)
    assert not AuditLog.objects.filter(action__startswith="import").exists()


def test_permissions_of_the_acting_user(world, episodes_file, tmp_path):
    from finsam.interchange.importers import import_file

    with pytest.raises(CommandError, match="behörighet"):
        run_import("episodes", episodes_file(), "--user", "board_reader")
    # A handler may import into the interventions assigned to them …
    run_import("episodes", episodes_file(episode_rows(3)), "--user", "participant_handler")
    # … but not into another association's intervention.
    rows = [
        ["O-1", "OTH-IND", "", "", "", "K", "1990", "0180", "2024-03-01", "FSS", "", "", "", "", ""]
    ]
    result = import_file(
        "episodes", episodes_file(rows, name="o.csv"), actor=world["users"]["participant_handler"]
    )
    assert [(p.row, p.rule) for p in result.problems] == [(2, "permission.denied")]
    # The association administrator imports through IMPORT_DATA.
    run_import(
        "episodes", episodes_file(episode_rows(5), name="a.csv"), "--user", "association_admin"
    )
    # --association restricts the rows.
    result = import_file(
        "episodes", episodes_file(rows, name="o2.csv"), association=world["association"]
    )
    assert [p.rule for p in result.problems] == ["association.other"]
    with pytest.raises(CommandError, match="inget förbund"):
        run_import("episodes", episodes_file(), "--association", "NOPE")
    with pytest.raises(CommandError, match="finns inte"):
        run_import("episodes", tmp_path / "missing.csv")


def test_empty_and_broken_files_never_crash(world, tmp_path):
    from finsam.interchange.importers import import_file

    (tmp_path / "empty.csv").write_bytes(b"")
    assert [p.rule for p in import_file("episodes", tmp_path / "empty.csv").problems] == [
        "file.empty"
    ]
    (tmp_path / "latin1.csv").write_bytes(",".join(EPISODE_HEADER).encode() + b"\nK\xf6,x\n")
    assert [p.rule for p in import_file("episodes", tmp_path / "latin1.csv").problems] == [
        "file.encoding"
    ]
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04garbage")
    assert [p.rule for p in import_file("episodes", tmp_path / "fake.xlsx").problems] == [
        "file.format"
    ]
    header_only = write_csv(tmp_path / "h.csv", EPISODE_HEADER, [])
    result = import_file("episodes", header_only)
    assert result.ok and result.rows == 0 and result.warnings[0].rule == "file.no_rows"
    assert counts() == (0, 0, 0)


def test_followups_and_volume(world, episodes_file, tmp_path):
    from finsam.registry.models import FollowUp, VolumeCount

    run_import("episodes", episodes_file(episode_rows(2)))
    header = ["episode_key", "months_after", "support", "occupation", "work_hours", "study_hours"]
    path = write_csv(tmp_path / "f.csv", header, [["K-1", "6", "ING", "ARB", "40", ""]])
    out, _ = run_import("followups", path)
    assert "1 skapade" in out and FollowUp.objects.get().support_codes == ("ING",)
    out, _ = run_import("followups", path)
    assert "1 oförändrade" in out
    bad = write_csv(
        tmp_path / "g.csv",
        header,
        [["K-2", "6", "ING", "", "", ""], ["K-1", "7", "ING", "", "", ""]],
    )
    from finsam.interchange.importers import import_file

    result = import_file("followups", bad)
    assert [(p.row, p.rule) for p in result.problems] == [
        (2, "followup.not_exited"),
        (3, "followup.months"),
    ]
    vol = write_csv(
        tmp_path / "v.csv",
        ["intervention_code", "month", "women", "men", "other"],
        [["SBG-VOL", "2024-01", "3", "4", ""], ["SBG-VOL", "2024-02", "1", "0", "0"]],
    )
    out, _ = run_import("volume", vol)
    assert "2 skapade" in out and VolumeCount.objects.count() == 2
    vol_bad = write_csv(
        tmp_path / "vb.csv",
        ["intervention_code", "month", "women"],
        [["SBG-IND", "2024-01", "3"], ["SBG-VOL", "2024-1", "-1"]],
    )
    result = import_file("volume", vol_bad)
    assert [(p.row, p.rule) for p in result.problems] == [
        (2, "volume.not_volume_intervention"),
        (3, "format.month"),
    ]


def test_registry_files(db, tmp_path):
    from finsam.interchange.importers import import_file
    from finsam.registry.models import Association, Intervention, Member

    assoc = write_csv(
        tmp_path / "a.csv",
        ["code", "name", "org_number", "start_date", "end_date", "seat_municipality"],
        [
            ["SBG", "Samordningsförbundet Sundbyberg", "222000-1784", "2018-07-01", "", "0183"],
            ["NEW", "Nytt förbund", "", "2020-01-01", "", ""],
        ],
    )
    assert import_file("associations", assoc).created == 2
    area = write_csv(
        tmp_path / "m.csv",
        ["association_code", "municipality_code", "valid_from", "valid_to"],
        [["SBG", "0183", "2018-07-01", ""], ["NEW", "0183", "2020-01-01", ""]],
    )
    result = import_file("association-municipalities", area)
    assert [(p.row, p.field, p.rule) for p in result.problems] == [
        (3, "municipality_code", "area.overlap")
    ]
    area = write_csv(
        tmp_path / "m2.csv",
        ["association_code", "municipality_code", "valid_from"],
        [["SBG", "0183", "2018-07-01"], ["NEW", "0180", "2020-01-01"]],
    )
    assert import_file("association-municipalities", area).created == 2
    members = write_csv(
        tmp_path / "mem.csv",
        ["association_code", "member_kind", "organisation_code", "name"],
        [
            ["SBG", "FK", "FK", "Försäkringskassan"],
            ["SBG", "AF", "AF", "Arbetsförmedlingen"],
            ["SBG", "REGION", "01", "Region Stockholm"],
            ["SBG", "MUNICIPALITY", "0183", "Sundbybergs stad"],
        ],
    )
    assert import_file("members", members).created == 4
    assert Member.objects.count() == 4
    interventions = write_csv(
        tmp_path / "i.csv",
        [
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
        ],
        [
            [
                "SBG-1",
                "SBG",
                "Steget",
                "individual",
                "persons",
                "2019-01-01",
                "",
                "FK;AF",
                "UNG;PSY",
                "1",
                "40",
            ]
        ],
    )
    assert import_file("interventions", interventions).created == 1
    i = Intervention.objects.get()
    assert sorted(m.kind for m in i.providers.all()) == ["AF", "FK"]
    assert i.target_groups == ["UNG", "PSY"] and i.esf and i.planned_participants == 40
    again = import_file("interventions", interventions)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Association.objects.get(code="SBG").seat_municipality_id == "0183"
    bad = write_csv(
        tmp_path / "ab.csv",
        ["code", "name", "org_number", "start_date"],
        [["X", "", "123", "2001-01-01"]],
    )
    result = import_file("associations", bad)
    assert {(p.field, p.rule) for p in result.problems} == {
        ("name", "required"),
        ("org_number", "org_number.invalid"),
        ("start_date", "date.before_law"),
    }


def test_columns_left_out_keep_the_stored_values(world, episodes_file, tmp_path):
    from finsam.interchange.importers import import_file
    from finsam.registry.models import Association, Episode

    run_import("episodes", episodes_file(episode_rows(3)))
    header = [
        "episode_key",
        "intervention_code",
        "personal_number",
        "consent_date",
        "home_municipality",
        "start_date",
        "support_before",
        "education",
    ]
    rows = [
        ["K-1", "SBG-IND", PNR_WOMAN, "2024-03-01", "0183", "2024-03-01", "FSS", "GYM"],
        ["K-3", "SBG-IND", "", "", "0183", "2024-04-01", "FSS", "EFT"],
    ]
    result = import_file("episodes", write_csv(tmp_path / "enrol.csv", header, rows))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0), result.problems
    woman = Episode.objects.get(key="K-1")
    assert woman.education == "GYM" and woman.exit_reason == "ARB"  # the exit is kept
    assert woman.end_date is not None and woman.support_after_codes == ("ING",)
    anon = Episode.objects.get(key="K-3")
    assert anon.education == "EFT" and anon.participant.birth_year == 1983
    path = write_csv(
        tmp_path / "a.csv",
        ["code", "name", "start_date"],
        [["SBG", "Samordningsförbundet Sundbyberg", "2018-07-01"]],
    )
    assert import_file("associations", path).unchanged == 1
    assert Association.objects.get(code="SBG").org_number == "222000-1784"


def test_help_is_swedish_and_english():
    from django.core.management import load_command_class

    for name in ("import", "export", "demo-data"):
        command = load_command_class("finsam.interchange", name)
        text = command.create_parser("finsam", name).format_help()
        assert " / " in command.help
        assert "Importerar" in text or "Exporterar" in text or "Skapar" in text, name
        assert "Imports" in text or "Exports" in text or "Creates" in text, name


def test_an_existing_episode_keeps_its_person_and_intervention(world, episodes_file):
    from finsam.interchange.importers import import_file

    rows = episode_rows(2)
    import_file("episodes", episodes_file(rows))
    rows[0][2] = "19850615-2399"  # another person under the same key
    rows[1][1] = "OTH-IND"
    rows[1][7] = "0180"
    result = import_file("episodes", episodes_file(rows, name="b.csv"))
    assert {(p.row, p.rule) for p in result.problems} >= {
        (2, "episode.participant_changed"),
        (3, "episode.intervention_changed"),
    }
