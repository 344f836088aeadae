"""docgen serve: the filing service (HTTP API, database, accounts and roles) over the docgen library."""

from docgen.service.settings import Settings

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings):
    """The ASGI application for `settings` (see docgen.service.app)."""
    from docgen.service.app import create_app as _create

    return _create(settings)
