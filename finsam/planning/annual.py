"""Building the annual report material of an association-year as one :class:`Document`.

Every figure comes from the same public entry points as the pages that show it, so the document
and the pages agree:

* outcomes, participants, interventions, costs and follow-up: ``reports.runner.plan_report`` and
  ``run_report`` (the report pages and ``finsam report``), always protected – the annual report is
  a public document – and rendered cell by cell with ``reports.render.table_context``;
* budget against outcome, contributions, equity and key ratios:
  ``finance.selectors.budget_overview`` (the budget page);
* indicator results: ``indicators.selectors.results`` (always protected);
* deviation reports: ``domain.deviations.summarise`` over ``deviations.selectors.facts``,
  protected.

The director's texts (``AnnualReportDraft``) are placed at the start of their sections.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Q, Sum

from finsam.domain import annual_report as doc
from finsam.domain import codelists as cl
from finsam.domain import deviations as dev
from finsam.domain.finance import budget as fcore
from finsam.domain.finance._money import format_sek
from finsam.domain.indicators.results import OWN
from finsam.domain.protection import Cell, Kind, Line, ProtectionRule, Table, protect
from finsam.domain.reports.core import Period
from finsam.finance import selectors as finance_selectors
from finsam.planning.models import AnnualReportDraft
from finsam.registry.models import AssociationMunicipality, BoardMember, Intervention, VolumeCount
from finsam.reports import render as rr
from finsam.reports import runner

REPORTS_USED = (
    "utfall",
    "forsorjning-fore",
    "forsorjning-efter",
    "avslutningsanledningar",
    "deltagare",
    "insatser",
    "kostnader",
    "uppfoljning",
)
"""The reports the document quotes (association level, the calendar year, protected)."""


def sek(value) -> str:
    if value is None:
        return "–"
    return format_sek(float(value)).replace("-", "\u2212")


def kr(value) -> str:
    """A ratio in whole kronor (cost per participant, per inhabitant)."""
    if value is None:
        return "–"
    return format_sek(round(float(value))).replace("-", "\u2212")


def _report_amount(table, row: str, area, column: str) -> str:
    """A report cell in whole kronor, or the report's own text when it is hidden or empty."""
    if area is None or not any(r.key == row for r in table.rows):
        return "–"
    value = table.value(row, area, column)
    if value is None:
        return table.display(row, area, column) or "–"
    return kr(value)


def pct(value, decimals: int = 1) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.{decimals}f} %".replace(".", ",")


def _num(value, decimals: int = 2) -> str:
    return f"{float(value):.{decimals}f}".replace(".", ",")


# --- reports -------------------------------------------------------------------------------------


def report_results(user, association, year: int, *, levels=("association",)) -> dict:
    """``{name: ReportResult}`` of the reports the document uses, exactly as the report pages run
    them for this association and calendar year (protected)."""
    out = {}
    for name in REPORTS_USED:
        plan = runner.plan_report(
            user,
            name,
            period=Period.year(year),
            levels=levels,
            association_codes=(association.code,),
            unprotected=False,
        )
        out[name] = runner.run_report(plan, with_quality=False).result
    return out


def report_tables(result) -> list[doc.Table]:
    """Each table of a report result as the document shows it: one column per area × column, the
    cells as the report renders them (hidden cells as the protection symbol)."""
    tables = []
    for t in result.tables:
        ctx = rr.table_context(t)
        if len(ctx["areas"]) == 1:
            header = tuple(ctx["columns"])
        else:
            header = tuple(f"{a['name']}: {c}" for a in ctx["areas"] for c in ctx["columns"])
        rows = tuple((r["label"], *r["cells"]) for r in ctx["rows"])
        tables.append(doc.Table(f"{result.code} {t.title}", ("", *header), rows, ctx["note"]))
    return tables


def _sex_chart(result, table_key: str, title: str) -> doc.Figure | None:
    """A bar chart of women and men in one report table (shown cells only; percent rows if any,
    otherwise the count rows)."""
    try:
        table = result.table(table_key)
    except KeyError:
        return None
    if len(table.areas) != 1 or not {"women", "men"} <= set(table.columns):
        return None
    area = table.areas[0]
    rows = [r for r in table.rows if r.format == "percent"] or [
        r for r in table.rows if r.format == "count"
    ]
    data = []
    for r in rows:
        for col, label in (("women", "Kvinnor"), ("men", "Män")):
            value = table.value(r.key, area, col)
            if value is not None:
                data.append({"rad": r.label, "kön": label, "värde": round(float(value), 1)})
    if not data:
        return None
    import altair as alt

    from finsam.web import outputs

    percent = any(r.format == "percent" for r in rows)
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("rad:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("värde:Q", title="Andel (%)" if percent else "Antal"),
            color=alt.Color("kön:N", title="Kön"),
            yOffset="kön:N",
        )
        .properties(width=360, title=title)
    )
    try:
        return doc.Figure(
            title,
            png=outputs.chart_png(chart),
            svg=outputs.chart_svg(chart),
            alt=f"{title}: stapeldiagram, samma tal som i tabellen.",
        )
    except Exception:  # pragma: no cover - a chart is an illustration; the table has the numbers
        return None


# --- the association --------------------------------------------------------------------------


def _in_year(qs, year: int, start: str, end: str):
    first, last = date(year, 1, 1), date(year, 12, 31)
    return qs.filter(**{f"{start}__lte": last}).filter(
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": first})
    )


def association_section(association, year: int, draft, texts) -> doc.Section:
    members = list(association.members.order_by("kind", "name"))
    area = _in_year(
        AssociationMunicipality.objects.filter(association=association).select_related(
            "municipality"
        ),
        year,
        "valid_from",
        "valid_to",
    ).order_by("municipality__name")
    board = _in_year(
        BoardMember.objects.filter(association=association).select_related("member"),
        year,
        "period_start",
        "period_end",
    ).order_by("member__name", "role", "name")
    blocks: list = list(doc.paragraphs(texts.get("association", "")))
    facts = [f"{association.name} ({association.code})"]
    if association.org_number:
        facts.append(f"organisationsnummer {association.org_number}")
    if association.seat_municipality_id:
        facts.append(f"säte i {association.seat_municipality.name}")
    blocks.append(doc.Paragraph(", ".join(facts) + "."))
    if association.description:
        blocks += list(doc.paragraphs(association.description, ""))
    blocks.append(
        doc.Table(
            "Medlemmar",
            ("Medlem", "Typ", "Kod", "Andel av partens del"),
            tuple(
                (
                    m.name,
                    cl.MEMBER_KIND.label_of(m.kind),
                    m.organisation_code,
                    "–" if m.contribution_percent is None else f"{m.contribution_percent} %",
                )
                for m in members
            ),
            numeric=(False, False, False, True),
        )
    )
    names = [a.municipality.name for a in area]
    blocks.append(
        doc.Paragraph(
            f"Förbundets område {year}: " + (", ".join(names) if names else "inga kommuner") + "."
        )
    )
    board_rows = tuple(
        (
            b.name,
            b.get_role_display() + (", ordförande" if b.is_chair else ""),
            b.member.name,
        )
        for b in board
    )
    ordinary = sum(1 for b in board if b.role == BoardMember.Role.MEMBER)
    deputies = sum(1 for b in board if b.role == BoardMember.Role.DEPUTY)
    blocks.append(
        doc.Table(
            "Styrelse och ersättare",
            ("Namn", "Uppdrag", "Utsedd av"),
            board_rows,
            note=f"{ordinary} ledamöter och {deputies} ersättare under {year}.",
            numeric=(False, False, False),
        )
    )
    meetings = draft.board_meetings if draft is not None else None
    blocks.append(
        doc.Paragraph(
            f"Styrelsen har under {year} haft {meetings} sammanträden."
            if meetings is not None
            else "Antal styrelsesammanträden är inte angivet."
        )
    )
    return doc.Section("association", "Förbundet", tuple(blocks))


# --- interventions -------------------------------------------------------------------------------


def volume_by_intervention(ivs, year: int) -> dict[str, str]:
    """Each volume intervention's count for the year (the sum of the months, as R6 sums them),
    protected like the reports' counts: small cells hidden, and a line to the association's total
    so that a hidden count cannot be worked out from R6's association figure."""
    codes = [iv.code for iv in ivs if iv.registration == Intervention.Registration.VOLUME]
    if not codes:
        return {}
    sums = {
        row["intervention__code"]: (row["w"] or 0) + (row["m"] or 0) + (row["o"] or 0)
        for row in VolumeCount.objects.filter(intervention__code__in=codes, month__year=year)
        .values("intervention__code")
        .annotate(w=Sum("women"), m=Sum("men"), o=Sum("other"))
    }
    cells = {("iv", c): Cell(sums.get(c, 0), Kind.COUNT) for c in codes}
    cells[("total",)] = Cell(sum(sums.values()), Kind.COUNT)
    table = protect(
        Table(cells, (Line(("total",), tuple(("iv", c) for c in codes)),)),
        ProtectionRule.for_threshold(settings.FINSAM_PROTECTION_THRESHOLD),
        protected=True,
    )
    return {c: table.render(("iv", c), lambda v: str(int(v))) for c in codes}


def interventions_section(association, year: int, results, per_intervention, texts):
    ivs = list(
        _in_year(
            Intervention.objects.filter(association=association).prefetch_related("providers"),
            year,
            "start_date",
            "end_date",
        ).order_by("orientation", "name")
    )
    r6 = per_intervention.table("deltagare")
    volume = volume_by_intervention(ivs, year)
    rows, who = [], []
    for iv in ivs:
        actual = "–"
        if iv.takes_persons:
            try:
                actual = r6.display("personer_aktiva", ("intervention", iv.code), "total")
            except KeyError:
                actual = "0"
        vol = volume.get(iv.code, "–")
        partners = [m.name for m in iv.providers.all()] + [
            p.strip() for p in iv.partner_organisations.splitlines() if p.strip()
        ]
        rows.append(
            (
                iv.name,
                Intervention.Orientation(iv.orientation).label,
                "–" if iv.planned_participants is None else str(iv.planned_participants),
                actual,
                vol,
            )
        )
        who.append((iv.name, ", ".join(iv.target_group_labels) or "–", ", ".join(partners) or "–"))
    blocks: list = list(doc.paragraphs(texts.get("interventions", "")))
    blocks.append(
        doc.Table(
            "Insatser under året",
            (
                "Insats",
                "Inriktning",
                "Planerade deltagare",
                "Faktiska deltagare",
                "Volym (summa av månadernas antal)",
            ),
            tuple(rows),
            note="Faktiska deltagare = personer aktiva under året (R6 Deltagare per insats); "
            "volym = summan av månadernas antal. Skyddade tal.",
            numeric=(False, False, True, True, True),
        )
    )
    blocks.append(
        doc.Table(
            "Målgrupper och samarbetspartner",
            ("Insats", "Målgrupper", "Anordnare och samarbetspartner"),
            tuple(who),
            numeric=(False, False, False),
        )
    )
    blocks += report_tables(results["insatser"])
    structural = [iv for iv in ivs if iv.orientation == Intervention.Orientation.STRUCTURAL]
    sub = ()
    if structural:
        sub_blocks = []
        for iv in structural:
            sub_blocks.append(doc.Paragraph(f"{iv.name}: {iv.description or 'ingen beskrivning'}"))
        sub = (doc.Section("structural", "Strukturövergripande insatser", tuple(sub_blocks)),)
    return doc.Section("interventions", "Insatser", tuple(blocks), sub)


# --- participants --------------------------------------------------------------------------------


def participants_section(results, texts) -> doc.Section:
    blocks: list = list(doc.paragraphs(texts.get("participants", "")))
    subsections = []
    for name, heading in (
        ("utfall", "Utfall (R1)"),
        ("forsorjning-fore", "Försörjning före insatsen (R2)"),
        ("forsorjning-efter", "Försörjning efter insatsen (R3)"),
        ("avslutningsanledningar", "Avslutningsanledningar (R4)"),
        ("deltagare", "Nya och återkommande deltagare (R6)"),
        ("uppfoljning", "Uppföljning efter avslut (R9)"),
    ):
        result = results[name]
        sub_blocks: list = report_tables(result)
        if name == "utfall":
            fig = _sex_chart(result, "utfall", "Utfall efter kön")
            if fig is not None:
                sub_blocks.append(fig)
        if name == "avslutningsanledningar":
            fig = _sex_chart(result, "avslutningsanledningar", "Avslutningsanledningar efter kön")
            if fig is not None:
                sub_blocks.append(fig)
        sub_blocks.append(doc.Paragraph(result.protection_note, "note"))
        subsections.append(doc.Section(name, heading, tuple(sub_blocks)))
    return doc.Section("participants", "Deltagare och resultat", tuple(blocks), tuple(subsections))


# --- indicators and deviations -------------------------------------------------------------------


def indicator_table(association, year: int) -> doc.Table:
    from finsam.indicators import selectors as ind

    rows = []
    for version in ind.versions_with_answers():
        table = ind.results(version, association=association)
        if year not in table.periods:
            continue
        for unit in table.units:
            if unit.kind != "indicator":
                continue
            if table.is_hidden(OWN, unit, year, "n"):
                n = mean = table.protected.rule.symbol
            else:
                value = table.shown(OWN, unit, year, "n")
                if not value:
                    continue
                n = str(int(value))
                m = table.shown(OWN, unit, year, "mean")
                mean = table.protected.rule.symbol if m is None else _num(m)
            rows.append((f"{unit.indicator}. {unit.label}", str(version), n, mean))
    return doc.Table(
        "Kärnindikatorer",
        ("Indikator", "Enkät", "Antal svar", "Medelvärde"),
        tuple(rows),
        note="Skyddade tal: svar från färre personer än tröskelvärdet visas inte.",
        numeric=(False, False, True, True),
    )


def deviation_summary(association, year: int) -> dev.DeviationSummary:
    from finsam.deviations import selectors as dsel

    return dev.summarise(
        dsel.facts(association),
        categories=dsel.all_category_codes(),
        period_type=dev.PeriodType.QUARTER,
        start=date(year, 1, 1),
        end=date(year, 12, 31),
        protected=True,
        rule=ProtectionRule.for_threshold(settings.FINSAM_PROTECTION_THRESHOLD),
    )


def indicators_section(association, year: int, texts) -> doc.Section:
    from finsam.deviations import selectors as dsel

    blocks: list = list(doc.paragraphs(texts.get("indicators", "")))
    ind_table = indicator_table(association, year)
    blocks.append(ind_table if ind_table.rows else doc.Paragraph(f"Inga indikatorsvar för {year}."))
    summary = deviation_summary(association, year)
    labels = dsel.category_labels()
    blocks.append(
        doc.Table(
            "Avvikelserapporter",
            ("", "Antal"),
            (
                ("Avvikelser under året", summary.render(("total",))),
                ("varav öppna", summary.render(("open",))),
                ("varav avslutade", summary.render(("closed",))),
                ("Median dagar till avslut", summary.render(("closure", "median"))),
                *((f"Kategori: {labels.get(c, c)}", v) for c, v in summary.category_rows()),
                *((f"Kvartal {p}", v) for p, v in summary.period_rows()),
            ),
            note=" ".join(summary.notes),
        )
    )
    return doc.Section("indicators", "Kärnindikatorer och avvikelser", tuple(blocks))


# --- finance -------------------------------------------------------------------------------------


def finance_figures(association, year: int, *, today: date) -> dict:
    """The budget page's figures of the year (``budget_overview``) the document quotes."""
    return finance_selectors.budget_overview(association, year, today=today, months=12)


def finance_section(association, year: int, overview, costs_result, texts) -> doc.Section:
    t = overview["totals"]
    blocks: list = list(doc.paragraphs(texts.get("finance", "")))
    rows = [
        (label, sek(t["budget"][key]), sek(t["actual"][key]))
        for key, label in (
            ("revenue", "Intäkter (utan eget kapital)"),
            ("admin", "Administrativa kostnader"),
            ("interventions", "Insatskostnader"),
            ("costs", "Kostnader totalt"),
            ("result", "Resultat"),
            ("equity_start", "Eget kapital vid årets början"),
            ("equity_end", "Eget kapital vid årets slut"),
        )
    ]
    blocks.append(doc.Table("Budget och utfall", ("Post", "Budget", "Utfall"), tuple(rows)))
    blocks.append(
        doc.Table(
            "Bidrag per medlem",
            ("Finansiär", "Typ", "Budget", "Utfall"),
            tuple(
                (r["label"], r["kind"], sek(r["budget"]), sek(r["actual"]))
                for r in overview["resources"]
            ),
            numeric=(False, False, True, True),
        )
    )
    budget = overview["budget"]
    state_used = sum(
        (r.actual if r.actual is not None else 0.0)
        for r in budget.resources
        if r.kind == fcore.FUNDER_STATE
    )
    facts = overview["facts"]
    offer = float(facts.state_offer) if facts and facts.state_offer is not None else None
    state_text = f"Statliga medel i utfall: {sek(state_used)} kr"
    if offer:
        state_text += f" av erbjudna {sek(offer)} kr ({pct(state_used / offer)})"
    blocks.append(doc.Paragraph(state_text + "."))
    ratios = overview["ratios"]
    if ratios:
        b, a = ratios["budget"], ratios["actual"]
        r8 = costs_result.tables[0]
        area = next((x for x in r8.areas if x.code == f"{association.code}:{year}"), None)
        cost_pp = _report_amount(r8, "kostnad_per_deltagare", area, "actual")
        # the budget page's actual ratio (individual interventions' costs / participants) is
        # shown when R8 shows its cost per participant for the same year, hidden when R8 hides it
        shown = area is not None and r8.value("kostnad_per_deltagare", area, "actual") is not None
        individual_pp = kr(a.cost_per_participant) if shown else cost_pp
        cost_fte = _report_amount(r8, "kostnad_per_heltidsekvivalent", area, "actual")
        blocks.append(
            doc.Table(
                "Eget kapital och rekommendationen",
                ("", "Budget", "Utfall"),
                (
                    ("Eget kapital vid årets slut", sek(b.equity_end), sek(a.equity_end)),
                    (
                        "Andel av intäkterna",
                        pct(b.equity_share_of_revenue),
                        pct(a.equity_share_of_revenue),
                    ),
                    (
                        "Rekommenderat högsta eget kapital",
                        sek(b.recommended_max_equity),
                        sek(a.recommended_max_equity),
                    ),
                    ("Över rekommendationen", sek(b.equity_excess), sek(a.equity_excess)),
                ),
            )
        )
        blocks.append(
            doc.Table(
                "Nyckeltal",
                ("Nyckeltal", "Budget", "Utfall"),
                (
                    (
                        "Administrationens andel av kostnaderna",
                        pct(b.administration_share),
                        pct(a.administration_share),
                    ),
                    (
                        "Insatskostnad per deltagare, individinriktade insatser (kr)",
                        kr(b.cost_per_participant),
                        individual_pp,
                    ),
                    ("Kostnad per deltagare, alla kostnader (kr)", "–", cost_pp),
                    ("Kostnad per heltidsekvivalent i arbete/studier (kr)", "–", cost_fte),
                    (
                        "Intäkter per invånare 16–64 år (kr)",
                        kr(b.budget_per_inhabitant_16_64),
                        kr(a.budget_per_inhabitant_16_64),
                    ),
                ),
                note=(
                    "Insatskostnad per deltagare: de individinriktade insatsernas kostnad delat "
                    "med planerade deltagare (budget) respektive deltagare i registret (utfall), "
                    "som på budgetsidan. Kostnad per deltagare och per heltidsekvivalent med alla "
                    "kostnader: rapport R8 Kostnader. Utfallen döljs när de bygger på färre "
                    "deltagare än tröskelvärdet."
                ),
            )
        )
    else:
        blocks.append(doc.Paragraph("Nyckeltal saknas: budgeten för året är inte fullständig."))
    return doc.Section("finance", "Ekonomi", tuple(blocks))


# --- the document --------------------------------------------------------------------------------


def draft_of(association, year: int):
    return AnnualReportDraft.objects.filter(association=association, year=year).first()


def build_document(user, association, year: int, *, today: date) -> doc.Document:
    """The annual report material of ``association`` for ``year``; ``user`` decides which
    associations may be reported on (``None``: the operator's command)."""
    draft = draft_of(association, year)
    texts = draft.texts if draft is not None else {}
    results = report_results(user, association, year)
    per_intervention = report_results_one(user, association, year, "deltagare", ("intervention",))
    overview = finance_figures(association, year, today=today)
    sections = []
    foreword = doc.paragraphs(texts.get("foreword", ""))
    if foreword:
        sections.append(doc.Section("foreword", "Inledning", foreword))
    sections += [
        association_section(association, year, draft, texts),
        interventions_section(association, year, results, per_intervention, texts),
        participants_section(results, texts),
        indicators_section(association, year, texts),
        finance_section(association, year, overview, results["kostnader"], texts),
    ]
    outlook = doc.paragraphs(texts.get("outlook", ""))
    if outlook:
        sections.append(doc.Section("outlook", "Framåtblick", outlook))
    facts = overview["facts"]
    adopted = facts.annual_report_adopted if facts else None
    status = (
        f"Fastställd av styrelsen {adopted.isoformat()}."
        if adopted
        else "Utkast – ännu inte fastställt av styrelsen."
    )
    return doc.Document(
        f"Verksamhetsberättelse och årsredovisning {year}",
        f"{association.name} – {status}",
        tuple(sections),
        (
            results["utfall"].protection_note,
            f"Sammanställt av Finsam {today.isoformat()} ur registret, rapporterna och budgeten.",
        ),
    )


def report_results_one(user, association, year: int, name: str, levels):
    plan = runner.plan_report(
        user,
        name,
        period=Period.year(year),
        levels=levels,
        association_codes=(association.code,),
        unprotected=False,
    )
    return runner.run_report(plan, with_quality=False).result
