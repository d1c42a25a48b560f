"""The annual report material as one document model, rendered to docx and PDF from the same source.

A :class:`Document` is a title and sections; a section has a heading and blocks – paragraphs,
tables (already rendered, protected cells as their symbol) and figures (a chart with the table of
its values beside it). Nothing here computes a figure: the builder (``finsam.planning.annual``)
fills the blocks from the same selectors and report runs as the pages, so the document shows the
same numbers. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: str = ""
    """``""`` (body), ``note`` (small print) or ``free`` (the director's own text)."""


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    numeric: tuple[bool, ...] = ()
    """Per column: right-aligned numbers."""

    def is_numeric(self, i: int) -> bool:
        return self.numeric[i] if i < len(self.numeric) else i > 0


@dataclass(frozen=True, slots=True)
class Figure:
    title: str
    png: bytes | None = None
    svg: str = ""
    alt: str = ""


Block = Paragraph | Table | Figure


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headings(self) -> list[str]:
        out = []

        def walk(sections):
            for s in sections:
                out.append(s.heading)
                walk(s.subsections)

        walk(self.sections)
        return out

    def tables(self) -> list[Table]:
        out = []

        def walk(sections):
            for s in sections:
                out.extend(b for b in s.blocks if isinstance(b, Table))
                walk(s.subsections)

        walk(self.sections)
        return out

    def table(self, title: str) -> Table:
        for t in self.tables():
            if t.title == title:
                return t
        raise KeyError(title)


EDITABLE_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("foreword", "Inledning", "Förbundschefens eller ordförandens inledning."),
    ("association", "Förbundet", "Om förbundet, styrelsen och året som gått."),
    ("interventions", "Insatser", "Kommentar till årets insatser."),
    ("participants", "Deltagare och resultat", "Kommentar till deltagarnas resultat."),
    ("indicators", "Kärnindikatorer och avvikelser", "Kommentar till indikatorer och avvikelser."),
    ("finance", "Ekonomi", "Förvaltningsberättelse: ekonomisk kommentar."),
    ("outlook", "Framåtblick", "Förväntad utveckling och kommande år."),
)
"""The sections whose free text the director writes: (key, heading, hint)."""
EDITABLE_KEYS = tuple(k for k, _h, _hint in EDITABLE_SECTIONS)
MAX_TEXT = 20_000
"""Characters per free-text section."""


def paragraphs(text: str, style: str = "free") -> tuple[Paragraph, ...]:
    """A free text as paragraphs (blank lines separate them)."""
    parts = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    return tuple(Paragraph(" ".join(p.split("\n")), style) for p in parts if p)
