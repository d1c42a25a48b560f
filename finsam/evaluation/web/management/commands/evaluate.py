"""``finsam evaluate did|isf`` – staggered difference-in-differences from the command line.

``did`` runs one outcome of any panel and writes the Evaluation CSV layout of
``spec/interchange.md`` (or the same rows as JSON); ``isf`` runs the ISF study (every outcome ×
population of a municipality × year counts file) and writes xlsx, pdf or json. Bad input stops
with a one-line Swedish reason and a non-zero exit; no output file is written then.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.domain.problems import DomainValidationError
from finsam.evaluation.run import (
    BASE_PERIOD_CHOICES,
    CONTROL_CHOICES,
    DEFAULT_BOOTSTRAP,
    METHOD_CHOICES,
    read_table,
    run_did,
)

DID_FORMATS = ("csv", "json")
ISF_FORMATS = ("xlsx", "pdf", "json")


def _choice(value: str | None, option: str, allowed, default: str) -> str:
    if value is None:
        return default
    if value not in allowed:
        raise CommandError(
            f"Ogiltigt värde för {option}: '{value}'. Tillåtna värden: {', '.join(allowed)}."
        )
    return value


def _integer(value: str | None, option: str, default: int | None, *, minimum: int = 0):
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"{option} måste vara ett heltal (fick '{value}').") from None
    if number < minimum:
        raise CommandError(f"{option} måste vara minst {minimum} (fick {number}).")
    return number


def _required(options: dict, names: dict[str, str]) -> None:
    missing = [flag for key, flag in names.items() if not options.get(key)]
    if missing:
        raise CommandError(f"Ange {', '.join(missing)}.")


def write_atomically(path: Path, write) -> None:
    """Call ``write(tmp_path)`` and move the result to ``path`` only when it succeeded."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(f"Katalogen '{directory}' för --output finns inte.")
    fd, tmp = tempfile.mkstemp(prefix=".finsam-", suffix=path.suffix, dir=directory)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; use the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Utvärdering med stegvis difference-in-differences (Callaway & Sant'Anna): "
        "'did' för en valfri panel, 'isf' för ISF-studien. / Staggered difference-in-differences: "
        "'did' for any panel, 'isf' for the ISF study."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", metavar="{did,isf}")
        did = sub.add_parser(
            "did",
            help="Gruppvisa effekter och aggregeringar för en panel. / Group-time effects and "
            "aggregations of one panel.",
            description="Skattar ATT(g,t) och de fyra aggregeringarna och skriver dem i "
            "utvärderingsformatet (CSV eller JSON). / Estimates ATT(g,t) and the four "
            "aggregations in the Evaluation CSV layout (CSV or JSON).",
        )
        did.add_argument(
            "--data", metavar="FIL", help="Panelfil, CSV eller xlsx. / Panel file, CSV or xlsx."
        )
        did.add_argument("--unit", metavar="KOL", help="Enhetens kolumn. / Unit id column.")
        did.add_argument("--time", metavar="KOL", help="Periodens kolumn. / Period column.")
        did.add_argument(
            "--group",
            metavar="KOL",
            help="Första behandlade period (0 eller tom = aldrig). / First treated period "
            "(0 or empty = never).",
        )
        did.add_argument("--outcome", metavar="KOL", help="Utfallets kolumn. / Outcome column.")
        did.add_argument(
            "--control",
            metavar="never|notyet",
            help="Jämförelsegrupp: aldrig eller ännu inte behandlade (standard never). / "
            "Comparison group (default never).",
        )
        did.add_argument(
            "--method",
            metavar="reg|ipw|dr",
            help="Skattningsmetod (standard dr). / Estimation method (default dr).",
        )
        did.add_argument(
            "--covariates",
            metavar="KOL,…",
            help="Kovariater, kommaseparerade. / Covariates, comma separated.",
        )
        did.add_argument(
            "--base-period",
            metavar="varying|universal",
            help="Basperiod (standard varying). / Base period (default varying).",
        )
        did.add_argument(
            "--anticipation",
            metavar="N",
            help="Perioder med förväntanseffekt (standard 0). / Periods of anticipation "
            "(default 0).",
        )
        did.add_argument(
            "--bootstrap",
            metavar="N",
            help=f"Bootstrap-dragningar, 0 = analytiska standardfel (standard "
            f"{DEFAULT_BOOTSTRAP}). / Bootstrap draws, 0 = analytic (default {DEFAULT_BOOTSTRAP}).",
        )
        did.add_argument(
            "--seed",
            metavar="N",
            help="Slumpfrö för bootstrap (utan: ett dras och skrivs ut). / Random seed (without: "
            "one is drawn and printed).",
        )
        did.add_argument(
            "--format", metavar="csv|json", help="Utformat (standard csv). / Output format."
        )
        did.add_argument(
            "--output",
            metavar="FIL",
            help="Skriv till fil i stället för standard ut. / Write to a file instead of stdout.",
        )
        isf = sub.add_parser(
            "isf",
            help="ISF-studien: alla utfall × befolkningsgrupper. / The ISF study.",
            description="Effekter av medlemskap i samordningsförbund för varje utfall och "
            "befolkningsgrupp i en fil med kommun × år (se docs/evaluation.md). / Effects of "
            "membership for every outcome × population of a municipality × year counts file.",
        )
        isf.add_argument(
            "--data",
            metavar="FIL",
            help="Fil med antal per kommun och år, CSV eller xlsx. / Counts file.",
        )
        isf.add_argument(
            "--join-years",
            metavar="FIL",
            help="Inträdesår per kommun (municipality, join_year), om de inte finns i "
            "datafilen. / Join year per municipality, when not in the data file.",
        )
        isf.add_argument(
            "--format",
            metavar="xlsx|pdf|json",
            help="Utformat (standard: filändelsen i --output). / Output format (default: the "
            "suffix of --output).",
        )
        isf.add_argument("--output", metavar="FIL", help="Utfil. / Output file.")
        isf.add_argument(
            "--control",
            metavar="never|notyet",
            help="Jämförelsegrupp (standard notyet). / Comparison group (default notyet).",
        )
        isf.add_argument(
            "--method", metavar="reg|ipw|dr", help="Skattningsmetod (standard dr). / Method."
        )
        isf.add_argument(
            "--bootstrap",
            metavar="N",
            help="Bootstrap-dragningar (standard 999). / Bootstrap draws (default 999).",
        )
        isf.add_argument("--seed", metavar="N", help="Slumpfrö (standard 20240601). / Random seed.")

    def handle(self, *args, **options):
        kind = options.get("kind")
        if kind not in ("did", "isf"):
            raise CommandError("Ange 'did' eller 'isf' (finsam evaluate did|isf --help).")
        try:
            return self.did(options) if kind == "did" else self.isf(options)
        except DomainValidationError as error:
            raise CommandError(" ".join(str(error).split())) from None

    # --- did ------------------------------------------------------------------------------------

    def did(self, options):
        _required(
            options,
            {
                "data": "--data",
                "unit": "--unit",
                "time": "--time",
                "group": "--group",
                "outcome": "--outcome",
            },
        )
        fmt = _choice(options.get("format"), "--format", DID_FORMATS, "csv")
        control = _choice(options.get("control"), "--control", CONTROL_CHOICES, "never")
        method = _choice(options.get("method"), "--method", METHOD_CHOICES, "dr")
        base = _choice(options.get("base_period"), "--base-period", BASE_PERIOD_CHOICES, "varying")
        anticipation = _integer(options.get("anticipation"), "--anticipation", 0)
        draws = _integer(options.get("bootstrap"), "--bootstrap", DEFAULT_BOOTSTRAP)
        seed = _integer(options.get("seed"), "--seed", None)
        covariates = [c.strip() for c in (options.get("covariates") or "").split(",") if c.strip()]
        data = read_table(options["data"])
        run = run_did(
            data,
            unit=options["unit"],
            time=options["time"],
            group=options["group"],
            outcome=options["outcome"],
            covariates=covariates,
            control=control,
            method=method,
            base_period=base,
            anticipation=anticipation,
            bootstrap=draws,
            seed=seed,
        )
        if fmt == "json":
            text = json.dumps(run.to_dict(), ensure_ascii=False, indent=2) + "\n"
        else:
            from finsam.evaluation.report import rows_to_csv

            text = rows_to_csv(run.rows)
        self._emit(text, options.get("output"))
        self._report_notes(run.pretest["pvalue"], run.seed, run.notes)

    def _emit(self, text: str, output: str | None) -> None:
        if output:
            write_atomically(Path(output), lambda p: p.write_text(text, encoding="utf-8"))
        else:
            self.stdout.write(text, ending="")

    def _report_notes(self, pvalue, seed, notes) -> None:
        lines = [] if pvalue is None else [f"Förtest av parallella trender: p = {pvalue:.5f}"]
        lines.append(f"Slumpfrö: {seed}")
        lines += [f"Notering: {note}" for note in notes]
        for line in lines:
            self.stderr.write(line, style_func=str)

    # --- isf ------------------------------------------------------------------------------------

    def isf(self, options):
        from finsam.evaluation import report as rp
        from finsam.evaluation.isf import JOIN, UNIT, StudyOptions, run_isf_study

        _required(options, {"data": "--data", "output": "--output"})
        output = Path(options["output"])
        suffix = output.suffix.lower().lstrip(".")
        fmt = _choice(
            options.get("format"),
            "--format",
            ISF_FORMATS,
            suffix if suffix in ISF_FORMATS else "xlsx",
        )
        control = _choice(options.get("control"), "--control", CONTROL_CHOICES, "notyet")
        method = _choice(options.get("method"), "--method", METHOD_CHOICES, "dr")
        draws = _integer(options.get("bootstrap"), "--bootstrap", 999, minimum=1)
        seed = _integer(options.get("seed"), "--seed", StudyOptions().seed)
        counts = read_table(options["data"], text_columns=(UNIT,))
        joins = None
        if options.get("join_years"):
            joins = read_table(options["join_years"], text_columns=(UNIT,))
            missing = [c for c in (UNIT, JOIN) if c not in joins.columns]
            if missing:
                raise CommandError(
                    f"Filen med inträdesår saknar kolumnen {', '.join(missing)} "
                    f"(kolumner: {UNIT}, {JOIN})."
                )
        report = run_isf_study(
            counts,
            joins,
            options=StudyOptions(control_group=control, est_method=method, biters=draws, seed=seed),
        )
        writer = {"xlsx": rp.write_xlsx, "pdf": rp.write_pdf, "json": rp.write_json}[fmt]
        write_atomically(output, lambda p: writer(report, p))
        estimated = sum(1 for c in report.combinations if c.estimated)
        self.stderr.write(
            f"{estimated} av {len(report.combinations)} kombinationer skattade "
            f"({report.n_municipalities} kommuner, {report.seconds:.1f} s) → {output}",
            style_func=str,
        )
