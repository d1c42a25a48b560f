"""Rendering the annual report's :class:`Document` – docx (python-docx) and PDF (WeasyPrint from
the HTML template the page uses) – from the same source."""

from __future__ import annotations

import io

from finsam.domain import annual_report as doc

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_table(document, table: doc.Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.add_paragraph(table.title, style="Caption")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for i, label in enumerate(table.columns):
        cell = grid.rows[0].cells[i]
        cell.text = label
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(8.5)
    for row in table.rows:
        cells = grid.add_row().cells
        for i, value in enumerate(row):
            cells[i].text = value
            para = cells[i].paragraphs[0]
            if table.is_numeric(i):
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in para.runs:
                run.font.size = Pt(8.5)
    if table.note:
        note = document.add_paragraph(table.note)
        for run in note.runs:
            run.font.size = Pt(8)
            run.italic = True


def _docx_blocks(document, section: doc.Section, level: int) -> None:
    from docx.shared import Cm, Pt

    document.add_heading(section.heading, level=level)
    for block in section.blocks:
        if isinstance(block, doc.Paragraph):
            p = document.add_paragraph(block.text)
            if block.style == "note":
                for run in p.runs:
                    run.font.size = Pt(8)
                    run.italic = True
        elif isinstance(block, doc.Table):
            _docx_table(document, block)
        elif isinstance(block, doc.Figure) and block.png:
            document.add_picture(io.BytesIO(block.png), width=Cm(15))
            document.add_paragraph(block.alt, style="Caption")
    for sub in section.subsections:
        _docx_blocks(document, sub, min(level + 1, 9))


def to_docx(document_model: doc.Document) -> bytes:
    from docx import Document as DocxDocument

    document = DocxDocument()
    document.core_properties.title = document_model.title
    document.core_properties.language = "sv-SE"
    document.add_heading(document_model.title, level=0)
    document.add_paragraph(document_model.subtitle)
    for section in document_model.sections:
        _docx_blocks(document, section, 1)
    for note in document_model.notes:
        document.add_paragraph(note, style="Caption")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def context(document_model: doc.Document) -> dict:
    return {"document": document_model}


def to_pdf(document_model: doc.Document) -> bytes:
    from finsam.web import outputs

    return outputs.render_pdf("planning/annual_report_pdf.html", context(document_model))
