"""/docs in Chromium: Swagger UI from this machine only, under the pages' CSP, rendering the API's operations."""

from __future__ import annotations


def test_api_docs_render_offline_under_the_csp(pages):
    page = pages.new()
    csp_violations: list[str] = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto("/docs")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock-summary-path").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/filings/{form_id}/{unit}" in p.replace("\u200b", "") for p in paths), paths[:5]
    assert page.locator("text=填报").first.is_visible()
    assert not csp_violations, csp_violations
    pages.shot(page, "docs")
