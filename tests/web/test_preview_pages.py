"""The preview's 目录 in Chromium (issue 22): the page-number column shows the page each table starts on
in the PDF packet of the same filing, as a clerk would check it against the downloaded PDF."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from docgen.web.preview import PAGES_LABEL

pytestmark = pytest.mark.slow  # a real server and Chromium
ROOT = Path(__file__).resolve().parents[2]


def contents_of_pdf(path: Path) -> list[tuple[str, str]]:
    """(表, 页码) of each table row of the PDF cover's 目录, read with pdfplumber."""
    with pdfplumber.open(path) as pdf:
        (table,) = pdf.pages[0].extract_tables()
    return [(row[0], row[-1]) for row in table if row[0] and row[0].startswith("（")]


def preview_contents(page) -> list[tuple[str, str]]:
    """Click 预览文件包 and read (表, 页码) of each table row of the preview's 目录."""
    page.get_by_role("button", name="预览文件包").click()
    page.locator("#preview-note").get_by_text("预览已生成").wait_for()
    frame = page.frame_locator("iframe.preview-frame")
    rows = frame.locator("table.contents tbody tr")
    cells = [(rows.nth(i).locator("td").first, rows.nth(i).locator("td").last) for i in range(rows.count())]
    return [(t.inner_text(), n.inner_text().strip()) for t, n in cells if t.inner_text().startswith("（")]


def test_the_preview_contents_show_the_pdf_packets_page_numbers(pages, server, tmp_path):
    # Shenzhen's example: 16 pages, its tables start on pages 2, 6, 8 and 9 (not simply one page each)
    body = (ROOT / "data/submissions/2024/shenzhen.yaml").read_bytes()
    with server.api("shenzhen") as api:
        r = api.put("/api/v1/filings/2024/shenzhen", content=body, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 200, r.text
    page = pages.new()
    pages.login(page, "sz-clerk")
    page.wait_for_selector("#app[data-ready='1']", state="attached")

    previewed = preview_contents(page)
    # the numbers come from laying the tables out as the PDF does, once per content; a preview does not wait
    # long for them (PAGES_WAIT) and says 见PDF meanwhile, so on a slow machine a clerk previews again
    for _ in range(60):
        if not any(n == PAGES_LABEL for _, n in previewed):
            break
        page.wait_for_timeout(1000)
        previewed = preview_contents(page)
    page.locator("#preview").scroll_into_view_if_needed()
    pages.shot(page, "preview-contents", full_page=False)

    link = page.get_by_role("link", name="下载 PDF 文件包")
    link.scroll_into_view_if_needed()  # as test_clerk does: a click that scrolls by itself may miss the link
    with page.expect_download(timeout=180_000) as dl:
        link.click(timeout=180_000)
    pdf_path = tmp_path / "packet.pdf"
    dl.value.save_as(pdf_path)
    printed = contents_of_pdf(pdf_path)

    assert [t for t, _ in printed] == ["（一）", "（二）", "（三）", "（四）"]
    assert len({n for _, n in printed}) == 4, printed  # four different pages: the comparison means something
    assert previewed == printed
