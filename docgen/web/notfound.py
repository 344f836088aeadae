"""An unknown address: a Chinese page with a link home for a browser, the problem document for the API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from docgen.web import pages

API_PREFIXES = ("/api/", "/docs", "/openapi.json", "/metrics", "/healthz", "/readyz", "/static/")


def wants_page(request: Request) -> bool:
    """A browser opening an address (GET, Accept: text/html) outside the API: it reads a page, not JSON."""
    path = request.url.path
    return (
        request.method in ("GET", "HEAD")
        and "text/html" in request.headers.get("accept", "")
        and not path.startswith(API_PREFIXES)
    )


def install(app: FastAPI) -> None:
    """Answer a browser's 404 with a page; everything else keeps the service's problem documents. Call
    after the service installed its handlers (they answer what is not a browser's page)."""
    problem = app.exception_handlers[StarletteHTTPException]
    invalid = app.exception_handlers[RequestValidationError]

    async def _http(request: Request, exc: Exception) -> Response:
        # 405: a page address opened by a browser that only takes a form's POST (/login, /logout)
        if isinstance(exc, StarletteHTTPException) and exc.status_code in (404, 405) and wants_page(request):
            page = await pages.not_found_page(request)
            page.status_code = exc.status_code
            page.headers.update(exc.headers or {})  # 405's Allow
            return page
        return await problem(request, exc)  # type: ignore[misc]

    async def _invalid(request: Request, exc: Exception) -> Response:
        # a page address whose parameters do not validate is an address with no page
        if wants_page(request):
            return await pages.not_found_page(request)
        return await invalid(request, exc)  # type: ignore[misc]

    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
