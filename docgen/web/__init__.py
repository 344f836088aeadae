"""The web app (clerks and the province in the browser) on top of the service: `install(app)`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Add the pages, the static files, the preview/import endpoints, the session-cookie authenticator and
    the browser's 未找到 page."""
    from docgen.web import api, docs, notfound, pages, sessions

    app.state.authenticators.append(sessions.authenticate)
    app.include_router(pages.router)
    app.include_router(docs.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    notfound.install(app)
