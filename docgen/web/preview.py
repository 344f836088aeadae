"""The packet as HTML for the browser: the PDF writer's own view and template, fonts taken from the machine."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from docgen.options import DEFAULT, RenderOptions
from docgen.service.reports import Checked
from docgen.standard import fonts
from docgen.views.form import DocumentView, build_view
from docgen.writers.pdf.packet import packet_html

# Only on screen: pages as sheets on a grey desk. @page rules and the GB/T 9704 sizes stay as they are.
SCREEN_CSS = """
@media screen {
  html { background: #e8e8e8; }
  body { max-width: 297mm; margin: 0 auto; padding: 12px; }
  section.cover, section.landscape { background: #fff; padding: 20mm 18mm; margin-bottom: 12px;
    box-shadow: 0 1px 4px rgba(0,0,0,.3); }
  section.cover { max-width: 210mm; margin-left: auto; margin-right: auto; }
  .form-block + .form-block { margin-top: 16mm; }
}
"""


@lru_cache(maxsize=2)
def _screen_faces(options: RenderOptions = DEFAULT) -> tuple[str, str]:
    """(the PDF's @font-face rules, the same faces by local() name): a page may not load file:// fonts,
    and a clerk's machine has the official fonts (or the same free ones) installed by name."""
    printed = fonts.css_font_faces(options.require_official_fonts)
    rules = []
    for role, font in fonts.resolve_all(options.require_official_fonts).items():
        names = [fonts.ROLE_TABLE[role].docx_name, font.family]
        src = ", ".join(f'local("{n}")' for n in dict.fromkeys(names))
        rules.append(f'@font-face {{ font-family: "{fonts.css_family(role)}"; src: {src}; }}')
    for family, font in fonts.fallback_faces():
        rules.append(f'@font-face {{ font-family: "{family}"; src: local("{font.family}"); }}')
    return printed, "\n".join(rules) + "\n"


PAGES_LABEL = "见PDF"
"""What the 目录's page cells say while the PDF's page numbers are not known (the render workers were
busy or the layout is still running): short enough for the narrow column, and true."""


def preview_view(checked: Checked, source_name: str) -> DocumentView:
    """The document view of a checked submission, built as the PDF writer builds it."""
    result = checked.result
    assert result is not None and result.submission is not None and result.form is not None
    text = checked.text or ""
    return build_view(
        result.form,
        result.submission,
        source_name=source_name,
        source_bytes=text.encode("utf-8"),
        warnings=[str(d) for d in result.warnings],
    )


def packet_preview(
    view: DocumentView, templates: Path, table_pages: list[int] | None = None, options: RenderOptions = DEFAULT
) -> str:
    """The whole packet (cover and the four tables) as one HTML page, from the PDF writer's template;
    ``table_pages``: the PDF's page numbers for the 目录 (docgen.writers.pdf.packet.table_pages), else
    its page cells say PAGES_LABEL (a browser has no pages to count)."""
    html = packet_html(
        view, None, Path(templates), options=options, part="all", table_pages=table_pages, pages_label=PAGES_LABEL
    )
    printed, screen = _screen_faces(options)
    html = html.replace(printed, screen)
    return html.replace("</head>", f"<style>{SCREEN_CSS}</style>\n</head>", 1)
