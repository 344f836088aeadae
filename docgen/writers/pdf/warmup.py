"""Warm a process before forking workers: WeasyPrint imported, CJK fonts loaded, style sheets parsed."""

from __future__ import annotations

from pathlib import Path

from docgen.options import DEFAULT
from docgen.writers.pdf import engine, pagenum
from docgen.writers.pdf.packet import packet_css


def warm_up(templates: Path) -> None:
    """Import WeasyPrint and load the CJK fonts once, so processes forked afterwards start warm."""
    html = engine.jinja_env(Path(templates)).get_template("html/gbt9704.css.j2").render(**engine.template_context())
    doc = engine.render_html(
        f"<html lang='zh-CN'><style>{html}</style><body><p class='fangsong'>公文 〇 𠀀</p>"
        "<p class='heiti'>表</p><p class='kaiti'>表</p><p class='xbs'>表</p><p class='songti'>— 1 —</p>"
        "</body></html>",
        base_url=templates,
    )
    # Register the page-number face too, in the order real documents do (it is added later otherwise).
    pagenum.number_pages(doc.write_pdf(), [1])
    # and parse the packet's style sheets once for every forked worker
    for cover in (False, True):
        packet_css(Path(templates), DEFAULT, cover)
