"""``finsam exclusion-scenario`` – the cost-of-exclusion calculator (``interchange.md``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from finsam.domain.problems import DomainValidationError
from finsam.domain.socioeconomics.exclusion import (
    ExclusionScenario,
    exclusion_json,
    exclusion_scenario,
)
from finsam.web import commands as cli


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Räknar ut vad utanförskap kostar och när en insats lönar sig (återbetalningsmultipel, "
        "'det räcker att 1 av N lyckas', brytår, fördelning per aktör). / Cost-of-exclusion "
        "scenario calculator (JSON output)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--annual-cost",
            required=True,
            help="Årskostnad för utanförskap per person i kronor. / Annual cost per person (SEK).",
        )
        parser.add_argument(
            "--intervention-cost",
            required=True,
            help="Insatskostnad per deltagare i kronor. / Intervention cost per participant (SEK).",
        )
        parser.add_argument(
            "--horizon",
            required=True,
            help="Tidshorisont i år. / Horizon in years.",
        )
        parser.add_argument(
            "--lifetime-cost",
            help="Livstidskostnad (20–65 år) i kronor; ersätter besparingen över horisonten. / "
            "Lifetime cost (SEK), replaces the savings over the horizon.",
        )
        parser.add_argument(
            "--success-rate",
            help="Andel som lämnar utanförskapet, 0–1. / Share who succeed, 0–1.",
        )
        parser.add_argument(
            "--persistence",
            help="Varaktighet per år, 0–1 (standard 1). / Yearly persistence, 0–1 (default 1).",
        )
        parser.add_argument(
            "--discount-rate",
            help="Diskonteringsränta per år, t.ex. 0.03 (standard 0). / Discount rate (default 0).",
        )
        parser.add_argument(
            "--people", help="Antal personer i utanförskap. / Number of people in exclusion."
        )
        parser.add_argument(
            "--inhabitants", help="Antal invånare i området. / Inhabitants of the area."
        )
        parser.add_argument(
            "--actor-shares",
            help="Välfärdskakan: aktör=andel,… som summerar till 1, t.ex. "
            "municipality=0.27,fk=0.36,region=0.24,other=0.13. / Welfare-cake shares.",
        )
        parser.add_argument(
            "--intervention-cost-shares",
            help="Vem som betalar insatsen: aktör=andel,… (standard: samma som --actor-shares). "
            "/ Who pays the intervention (default: the actor shares).",
        )
        parser.add_argument(
            "--format",
            default="json",
            choices=["json"],
            help="Utdataformat (json). / Output format (json).",
        )
        parser.add_argument(
            "--output", help="Skriv till filen i stället för standard ut. / Write to FILE."
        )

    def handle(self, *args, **o):
        def opt(name, convert=cli.number):
            value = o.get(name)
            return None if value is None else convert(value, "--" + name.replace("_", "-"))

        horizon = opt("horizon", cli.integer)
        scenario = ExclusionScenario(
            annual_cost=opt("annual_cost"),
            intervention_cost=opt("intervention_cost"),
            horizon_years=horizon,
            lifetime_cost=opt("lifetime_cost"),
            success_rate=opt("success_rate"),
            persistence=1.0 if o.get("persistence") is None else opt("persistence"),
            discount_rate=0.0 if o.get("discount_rate") is None else opt("discount_rate"),
            people=opt("people"),
            inhabitants=opt("inhabitants"),
            actor_shares=opt("actor_shares", cli.shares),
            intervention_cost_shares=opt("intervention_cost_shares", cli.shares),
        )
        try:
            result = exclusion_scenario(scenario)
        except DomainValidationError as exc:
            raise cli.fail(exc) from None
        cli.write_output(self, cli.render_json(exclusion_json(result)), o.get("output"))
