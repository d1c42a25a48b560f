"""The outcome reports as data: one :class:`ReportSpec` per report (``spec/reports.md``).

The table :data:`SPECS` is the one place a report is named and described. Its ``code`` (R1 … R9)
is the report's name; the URL slug and the command's argument (``slug``), the Swedish title and
description, the frames it reads, whether it has an age-band split and how it is computed all come
from the same row. The runner (``finsam/reports/runner.py``), the pages, the ``finsam report``
command and the download formats read this table instead of naming reports themselves.

Frames: every report reads the ``episodes`` frame; ``frames`` lists the others it needs
(``volume``, ``interventions``, ``budget_lines``, ``followups``). ``episode_history``: the
episode frame also holds the persons' earlier episodes (new vs returning participants).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from finsam.domain.access import gettext_noop
from finsam.domain.reports.core import ReportOptions, ReportResult, active_in, base_mask
from finsam.domain.reports.costs import costs
from finsam.domain.reports.followup import followup
from finsam.domain.reports.participants import interventions_report, participants
from finsam.domain.reports.standard import (
    exit_reasons,
    occupation,
    outcome_summary,
    support_after,
    support_before,
)

Frames = Mapping[str, pd.DataFrame]
Compute = Callable[[Frames, ReportOptions, Mapping[str, str]], ReportResult]
"""``(frames, options, associations) -> result``; ``associations``: code → name of the
associations the report shows, in order."""

FRAME_NAMES = ("episodes", "volume", "interventions", "budget_lines", "followups")


@dataclass(frozen=True)
class ReportSpec:
    code: str
    """R1 … R9: the report's name."""
    slug: str
    """The URL slug and the ``finsam report`` argument (``/rapporter/<slug>/``)."""
    title: str
    """The Swedish title of the report's page."""
    description: str
    function: Callable[..., ReportResult]
    """The report function of ``finsam.domain.reports`` (its own signature)."""
    compute: Compute
    """The function called with the frames (see :data:`Compute`)."""
    frames: tuple[str, ...] = ()
    """Frames read besides ``episodes``."""
    episode_history: bool = False
    split: bool = True
    """Has an age-band split (the reports about persons by sex)."""
    chart: tuple[str, frozenset[str]] | None = None
    """(table, rows left out) of the report's chart, the total column charted; ``None``: none."""
    row_label: bool = False
    """Its csv rows carry a ``row_label`` column (the code lists' labels)."""

    def run(
        self, frames: Frames, options: ReportOptions, associations: Mapping[str, str] | None = None
    ) -> ReportResult:
        return self.compute(frames, options, associations or {})


def _episodes_only(fn: Callable[[pd.DataFrame, ReportOptions], ReportResult]) -> Compute:
    def compute(frames: Frames, options: ReportOptions, associations: Mapping[str, str]):
        return fn(frames["episodes"], options)

    return compute


def _participants(frames: Frames, options: ReportOptions, associations: Mapping[str, str]):
    episodes = frames["episodes"]
    result = participants(episodes, options, volume=frames.get("volume"))
    if options.areas is not None and {"county", "country"}.isdisjoint(options.levels):
        # The frame also holds the persons' earlier episodes in other associations (for new
        # vs returning); the whole-report counts must not include them.
        shown = episodes["association_code"].isin(list(associations))
        active = (base_mask(episodes) & active_in(episodes, options.period)) & shown.to_numpy()
        anonymous = episodes["person_key"].isna().to_numpy()
        result = replace(
            result,
            episodes=int(active.sum()),
            anonymous_episodes=int((active & anonymous).sum()),
        )
    return result


def _interventions(frames: Frames, options: ReportOptions, associations: Mapping[str, str]):
    return interventions_report(
        frames["interventions"], frames["episodes"], options, association_names=dict(associations)
    )


def _costs(frames: Frames, options: ReportOptions, associations: Mapping[str, str]):
    return costs(frames["budget_lines"], frames["episodes"], options)


def _followup(frames: Frames, options: ReportOptions, associations: Mapping[str, str]):
    return followup(frames["episodes"], frames["followups"], options)


_NO_TOTALS = frozenset({"summa_koder", "antal_episoder"})

SPECS: tuple[ReportSpec, ...] = (
    ReportSpec(
        "R1",
        "utfall",
        gettext_noop("Utfall"),
        gettext_noop("Deltagare som avslutats under perioden: bakgrund, arbete och studier efter."),
        outcome_summary,
        _episodes_only(outcome_summary),
        chart=("utfall", frozenset()),
    ),
    ReportSpec(
        "R2",
        "forsorjning-fore",
        gettext_noop("Försörjning före insatsen"),
        gettext_noop("Försörjning vid start för deltagare som påbörjat under perioden."),
        support_before,
        _episodes_only(support_before),
        chart=("fore", _NO_TOTALS),
        row_label=True,
    ),
    ReportSpec(
        "R3",
        "forsorjning-efter",
        gettext_noop("Försörjning efter och förändring"),
        gettext_noop("Försörjning efter avslut jämfört med före, samma deltagare, med flöden."),
        support_after,
        _episodes_only(support_after),
        chart=("forandring", _NO_TOTALS),
        row_label=True,
    ),
    ReportSpec(
        "R4",
        "avslutningsanledningar",
        gettext_noop("Avslutningsanledningar"),
        gettext_noop("Avslutningsanledningar för deltagare som avslutats under perioden."),
        exit_reasons,
        _episodes_only(exit_reasons),
        chart=("avslutningsanledningar", frozenset({"TOTALT", "UTSKRIVNING"})),
        row_label=True,
    ),
    ReportSpec(
        "R5",
        "sysselsattning",
        gettext_noop("Sysselsättning före och efter"),
        gettext_noop("Sysselsättning före och efter för deltagare som avslutats."),
        occupation,
        _episodes_only(occupation),
        chart=("efter", frozenset()),
    ),
    ReportSpec(
        "R6",
        "deltagare",
        gettext_noop("Deltagare"),
        gettext_noop(
            "Personer och deltagarepisoder aktiva, påbörjade och avslutade; nya/återkommande."
        ),
        participants,
        _participants,
        frames=("volume",),
        episode_history=True,
        chart=("deltagare", frozenset()),
    ),
    ReportSpec(
        "R7",
        "insatser",
        gettext_noop("Insatser"),
        gettext_noop(
            "Insatser aktiva och påbörjade, planerat och faktiskt antal deltagare, målgrupper."
        ),
        interventions_report,
        _interventions,
        frames=("interventions",),
        split=False,
    ),
    ReportSpec(
        "R8",
        "kostnader",
        gettext_noop("Kostnader"),
        gettext_noop(
            "Resurser, insatskostnader och administration per budgetår; kostnad per person."
        ),
        costs,
        _costs,
        frames=("budget_lines",),
        split=False,
    ),
    ReportSpec(
        "R9",
        "uppfoljning",
        gettext_noop("Uppföljning efter avslut"),
        gettext_noop("Utfall vid avslut och 6, 12 och 24 månader efter för samma deltagare."),
        followup,
        _followup,
        frames=("followups",),
        chart=("uppfoljning", frozenset()),
    ),
)

BY_SLUG: dict[str, ReportSpec] = {s.slug: s for s in SPECS}
BY_CODE: dict[str, ReportSpec] = {s.code: s for s in SPECS}


def find_spec(name: str) -> ReportSpec | None:
    """The report called ``name``: its code (``R1``, ``r1``) or its slug (``utfall``)."""
    name = (name or "").strip()
    return BY_SLUG.get(name) or BY_CODE.get(name.upper())
