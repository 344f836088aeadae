"""The whole application: the service's API with the web app installed on it, composed above both."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from docgen.service.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """A ready application (schema migrated): API, pages, static files, preview and import endpoints."""
    # imported here: `docgen --help` must not pay for FastAPI, the database layer and the templates
    from docgen import web
    from docgen.service.app import create_service

    app = create_service(settings)
    web.install(app)
    return app
