"""Shared helpers of the management commands: parsing options, writing output all-or-nothing."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from finsam.domain.problems import DomainValidationError
from finsam.web.outputs import csv_bytes


def fail(exc: DomainValidationError | str) -> CommandError:
    """A one-line Swedish reason (every problem, joined)."""
    if isinstance(exc, DomainValidationError):
        text = " ".join(p.message for p in exc.problems)
    else:
        text = str(exc)
    return CommandError(text.replace("\n", " "))


def number(value: str, option: str) -> float:
    try:
        result = float(value.replace(",", ".").replace(" ", ""))
    except ValueError:
        raise CommandError(f"{option} måste vara ett tal (fick '{value}').") from None
    if not math.isfinite(result):
        raise CommandError(f"{option} måste vara ett ändligt tal (fick '{value}').")
    return result


def integer(value: str, option: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"{option} måste vara ett heltal (fick '{value}').") from None


def iso_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} måste vara ett datum ÅÅÅÅ-MM-DD (fick '{value}').") from None


def input_file(value: str, option: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise CommandError(f"{option}: filen '{value}' finns inte.")
    return path


def shares(value: str, option: str) -> dict[str, float]:
    """``actor=0.27,fk=0.36`` → a dict; every part must be ``name=number``."""
    result: dict[str, float] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        name, sep, amount = part.partition("=")
        if not sep or not name.strip():
            raise CommandError(
                f"{option}: ange aktör=andel, åtskilda med kommatecken (fick '{part.strip()}')."
            )
        if name.strip() in result:
            raise CommandError(f"{option}: aktören '{name.strip()}' förekommer två gånger.")
        result[name.strip()] = number(amount.strip(), f"{option} ({name.strip()})")
    if not result:
        raise CommandError(f"{option}: ange minst en aktör=andel.")
    return result


def render_csv(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str]) -> str:
    return csv_bytes(columns, ([row.get(c, "") for c in columns] for row in rows)).decode("utf-8")


def render_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def write_output(command, text: str, output: str | None) -> None:
    """Write the finished text to ``output`` (or stdout). Called only after everything has been
    computed, so bad input never leaves a file behind."""
    if not output:
        command.stdout.write(text, ending="")
        return
    path = Path(output)
    if not path.parent.exists():
        raise CommandError(f"--output: mappen '{path.parent}' finns inte.")
    path.write_text(text, encoding="utf-8")
