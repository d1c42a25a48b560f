"""``finsam payback`` – payback per actor from the registry's flows (``interchange.md``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics import payback as core
from finsam.domain.socioeconomics.parameters import read_parameters
from finsam.registry.models import Association, Intervention
from finsam.socioeconomics import selectors
from finsam.web import commands as cli

SPLITS = {"25/25": core.StateSplit.EQUAL, "50/0": core.StateSplit.FK_ONLY}


def payback_json(result: core.PaybackResult, *, meta: dict) -> dict:
    return {
        **meta,
        "intervention_cost": round(result.intervention_cost, 2),
        "participants": result.participants,
        "participants_without_outcome": result.participants_without_outcome,
        "actors": [
            {
                "actor": a.actor,
                "intervention_cost": round(a.intervention_cost, 2),
                "monthly_gain": round(a.monthly_gain, 2),
                "payback_months": None if a.payback_months is None else round(a.payback_months, 1),
                "profit_1y": round(a.profit_1y, 2),
                "profit_5y": round(a.profit_5y, 2),
                "reference_payback_months": a.reference_months,
            }
            for a in result.actors
        ],
    }


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Återbetalningstid per aktör (kommun, region, FK, AF, samhället) för ett förbunds eller "
        "en insats avslutade deltagare under en period. / Payback per actor from registry flows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--association", required=True, help="Förbundets kod. / Association code."
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            required=True,
            help="Periodens första dag ÅÅÅÅ-MM-DD (avslutsdatum). / First day of the period.",
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            required=True,
            help="Periodens sista dag ÅÅÅÅ-MM-DD. / Last day of the period.",
        )
        parser.add_argument(
            "--intervention", help="Bara denna insats (kod). / Only this intervention (code)."
        )
        parser.add_argument(
            "--parameters",
            help="Parameterfil (item, actor, monthly_sek …); standard: den lagrade tabellen för "
            "periodens slutår. / Parameter file; default: the stored table for the period.",
        )
        parser.add_argument(
            "--state-split",
            default="25/25",
            choices=sorted(SPLITS),
            help="Statens hälft mellan FK/AF: 25/25 eller 50/0. / FK/AF split of the state half.",
        )
        parser.add_argument(
            "--persistence",
            default="1",
            help="Effektens varaktighet per år, 0–1 (standard 1). / Yearly persistence.",
        )
        parser.add_argument(
            "--discount-rate",
            default="0",
            help="Diskonteringsränta per år (standard 0). / Discount rate (default 0).",
        )
        parser.add_argument(
            "--format",
            default="csv",
            choices=["csv", "json"],
            help="Utdataformat csv eller json. / Output format.",
        )
        parser.add_argument(
            "--output", help="Skriv till filen i stället för standard ut. / Write to FILE."
        )

    def handle(self, *args, **o):
        date_from = cli.iso_date(o["date_from"], "--from")
        date_to = cli.iso_date(o["date_to"], "--to")
        association = Association.objects.filter(code=o["association"]).first()
        if association is None:
            raise CommandError(
                f"--association: det finns inget förbund med koden '{o['association']}'."
            )
        intervention = None
        if o.get("intervention"):
            intervention = Intervention.objects.filter(
                code=o["intervention"], association=association
            ).first()
            if intervention is None:
                raise CommandError(
                    f"--intervention: förbundet {association.code} har ingen insats med koden "
                    f"'{o['intervention']}'."
                )
        settings = core.PaybackSettings(
            state_split=SPLITS[o["state_split"]],
            persistence=cli.number(o["persistence"], "--persistence"),
            discount_rate=cli.number(o["discount_rate"], "--discount-rate"),
        )
        try:
            if o.get("parameters"):
                parameters = read_parameters(
                    cli.input_file(o["parameters"], "--parameters"), valid_year=date_to.year
                )
            else:
                parameters, _set = selectors.current_parameters(date_to.year)
            result = selectors.payback(
                association=association,
                intervention=intervention,
                date_from=date_from,
                date_to=date_to,
                parameters=parameters,
                settings=settings,
            )
        except DomainValidationError as exc:
            raise cli.fail(exc) from None
        if o["format"] == "json":
            meta = {
                "association": association.code,
                "intervention": intervention.code if intervention else None,
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "parameters_year": parameters.valid_year,
            }
            text = cli.render_json(payback_json(result, meta=meta))
        else:
            text = cli.render_csv(core.payback_csv_rows(result), core.PAYBACK_COLUMNS)
        cli.write_output(self, text, o.get("output"))
