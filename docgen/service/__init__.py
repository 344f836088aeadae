"""docgen serve: the filing service (HTTP API, database, accounts and roles) over the docgen library.

The application with the web app on it is docgen.app.create_app, composed above both."""

from docgen.service.settings import Settings

__all__ = ["Settings"]
