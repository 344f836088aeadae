"""The 红头 notice (公文) per GB/T 9704-2012: model, DOCX and PDF writers.

    from docgen.notice import load_notice, render_notice
    notice = load_notice("data/notices/2023-233.yaml")

Modules: model (pydantic Notice), render (load_notice, render_notice), docx (write_docx),
pdf (write_pdf), oxml_notice (the few raw OOXML helpers docgen.oxml lacks).
"""

from docgen.notice.render import load_notice, parse_notice, render_notice

__all__ = ["load_notice", "parse_notice", "render_notice"]
