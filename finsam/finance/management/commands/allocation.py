"""``finsam allocation FILE --frame SEK [--base-grant SEK] [--year Y] [--floor 0.9|none]
[--equity-policy half|full|none] [--format csv|xlsx|json] [--output FILE]``."""

from __future__ import annotations

import io
import math

from django.core.management.base import BaseCommand, CommandError

from finsam.domain.finance import allocation as alloc
from finsam.domain.problems import DomainValidationError


def _amount(text: str, option: str) -> float:
    try:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        raise CommandError(
            f"{option}: {text!r} är inget belopp (ange kronor med decimalpunkt, utan mellanslag)."
        ) from None
    return value


def _floor(text: str) -> float | None:
    if text.strip().lower() in ("none", "av", "ingen"):
        return None
    value = _amount(text, "--floor")
    if value > 1 and value <= 100:
        raise CommandError(
            f"--floor: ange golvet som andel, t.ex. 0.9 för 90 % (nu {text}), eller none."
        )
    return value


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # batch work: the server's checks cost ~1 s
    help = (
        "Räknar ut den statliga fördelningen mellan samordningsförbunden (fördelningsmodellen, "
        "varje steg per förbund). / Runs the state-allocation model (every step per association)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="allocation_input.csv eller xlsx. / allocation_input.csv or xlsx."
        )
        parser.add_argument(
            "--frame",
            help="Statlig ram i kronor; utelämnad = årets kända ram (--year). / State frame in "
            "SEK; omitted = the year's known frame (--year).",
        )
        parser.add_argument(
            "--base-grant",
            default=str(alloc.DEFAULT_BASE_GRANT),
            help="Grundbidrag per förbund (standard 400000). / Base grant per association.",
        )
        parser.add_argument("--year", type=int, help="Fördelningsår. / Allocation year.")
        parser.add_argument(
            "--floor",
            help="Golv som andel av fjolårets tilldelning, t.ex. 0.9, eller none (standard: "
            "årets beslut med --year, annars 0.9). / Floor as a share of last year's, or none.",
        )
        parser.add_argument(
            "--equity-policy",
            default="half",
            help="Eget kapital över rekommendationen: half, full eller none. / Equity policy.",
        )
        parser.add_argument(
            "--format",
            default="csv",
            help="Utdataformat: csv, xlsx eller json. / Output format: csv, xlsx or json.",
        )
        parser.add_argument(
            "--output", help="Utfil (annars standard ut). / Output file (else stdout)."
        )

    def handle(
        self, *args, file, frame, base_grant, year, floor, equity_policy, format, output, **options
    ):
        fmt = format.lower()
        if fmt not in alloc.OUTPUT_FORMATS:
            raise CommandError(f"--format: okänt format {format!r} (tillåtna: csv, xlsx, json).")
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx kräver --output FIL.")
        if equity_policy not in alloc.EQUITY_POLICY_FACTORS:
            raise CommandError(
                f"--equity-policy: okänd policy {equity_policy!r} (tillåtna: half, full, none)."
            )
        kwargs = {
            "base_grant": _amount(base_grant, "--base-grant"),
            "equity_policy": equity_policy,
        }
        if floor is not None:
            kwargs["floor_share"] = _floor(floor)
        try:
            if year is not None:
                params = alloc.AllocationParameters.for_year(
                    year, None if frame is None else _amount(frame, "--frame"), **kwargs
                )
            else:
                if frame is None:
                    raise CommandError("--frame krävs (eller --year för ett år med känd ram).")
                params = alloc.AllocationParameters(frame=_amount(frame, "--frame"), **kwargs)
            if output:
                result = alloc.run_allocation_file(file, params, output, fmt)
                self.stderr.write(
                    f"Fördelat {alloc.format_sek(result.total_allocation)} kr till "
                    f"{len(result.rows)} förbund; skrivet till {output}."
                )
            else:
                rows = alloc.read_allocation_input(file)
                result = alloc.allocate(rows, params)
                buffer = io.StringIO()
                alloc.write_allocation(result, fmt, buffer)
                self.stdout.write(buffer.getvalue(), ending="")
        except DomainValidationError as exc:
            problems = exc.problems
            more = f" (och {len(problems) - 1} fel till)" if len(problems) > 1 else ""
            raise CommandError(problems[0].message + more) from None
        except OSError as exc:
            raise CommandError(f"Utfilen kan inte skrivas: {exc.strerror} ({output}).") from None
        for w in result.warnings:
            self.stderr.write(f"Varning: {w.message}")
