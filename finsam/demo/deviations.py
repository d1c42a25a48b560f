"""Demo deviation reports for ``finsam demo``: a few per association in every state, filed and
handled through the services (so they are validated and audited like real ones)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from finsam.deviations import services
from finsam.domain import deviations as core
from finsam.registry.models import Association

EXAMPLES = {
    "NEKAD": (
        "Försäkringskassan avvaktade regionens läkarutlåtande, och regionen ville ha "
        "Försäkringskassans beslut först. Ingen av dem tog nästa steg.",
        "Sjukpenningen drogs in; personen fick söka försörjningsstöd.",
        "En gemensam kontaktväg när två myndigheter väntar på varandra.",
    ),
    "BEDOMNING": (
        "Arbetsförmedlingen bedömde personen som för sjuk för insatser, Försäkringskassan "
        "bedömde full arbetsförmåga i normalt förekommande arbete.",
        "Varken ersättning eller stöd under fem månader.",
        "Gemensam bedömning i ett SIP-möte innan beslut.",
    ),
    "VANTETID": (
        "Remissen från vårdcentralen till kommunens arbetsmarknadsenhet låg obehandlad i sju "
        "veckor.",
        "Rehabiliteringen sköts upp och motivationen sjönk.",
        "Bevakning av remisser mellan medlemmarna.",
    ),
    "INFORMATION": (
        "Arbetsförmedlingens kartläggning skickades inte vidare till socialtjänsten trots "
        "samtycke, så allt gjordes om.",
        "Personen fick berätta sin historia för fjärde gången.",
        "Rutin för överlämning med samtycke.",
    ),
    "PLAN": (
        "Tre aktörer hade var sin plan med olika mål; ingen samordnad individuell plan fanns.",
        "Motstridiga krav på aktivitet.",
        "Samordnad individuell plan (SIP) vid fler än två aktörer.",
    ),
    "OVRIGT": (
        "Mötet flyttades tre gånger eftersom tolk inte bokats av någon av parterna.",
        "Fördröjning på en månad.",
        "",
    ),
}


def load_demo_deviations(*, filer, handler, rng: random.Random, today: date, per_association=8):
    """File ``per_association`` reports in each association; about a third stay new, the rest
    are classified, worked on and in part closed."""
    count = 0
    for association in Association.objects.order_by("pk"):
        members = list(association.members.all())
        if len(members) < 2:
            continue
        for _ in range(per_association):
            category = rng.choice(list(EXAMPLES))
            description, consequence, improvement = EXAMPLES[category]
            involved = rng.sample(members, rng.choice([1, 2, 2, 3]))
            filed = today - timedelta(days=rng.randint(10, 540))
            report = services.deviation_file(
                actor=filer,
                association=association,
                data=core.ReportInput(
                    report_date=filed,
                    organisations=tuple(str(m.pk) for m in involved),
                    category=category,
                    description=description,
                    consequence=consequence,
                    improvement=improvement,
                ),
                today=today,
            )
            count += 1
            stage = rng.random()
            if stage < 0.3:
                continue
            report = services.deviation_classify(
                actor=handler,
                report=report,
                category=category,
                owner_id=rng.choice(involved).pk,
                today=today,
            )
            if stage < 0.45:
                continue
            acted = filed + timedelta(days=rng.randint(1, 9))
            services.deviation_action_add(
                actor=handler,
                report=report,
                action_date=acted,
                text="Ärendet togs upp i beredningsgruppen; berörda chefer kontaktade.",
                organisation_id=report.owner_id,
                today=today,
            )
            if stage < 0.6:
                continue
            closed = min(today, acted + timedelta(days=rng.randint(5, 120)))
            services.deviation_close(
                actor=handler,
                report=report,
                closed_date=closed,
                closing_note="Rutinen är ändrad och kommunicerad till medlemmarnas handläggare.",
                today=today,
            )
    return count
