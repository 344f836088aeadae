"""The form engine: a form definition (data/forms/ID.yaml, spec form.md) in, its tree and everything derived out.

Stage between models and check. ``catalog`` finds forms by id and builds each once (``builder``: every
problem with its line); the tree (``tree``) gives places in the form's words; ``model`` the submission's
generated pydantic model; ``aliases`` the Chinese keys; ``expression`` formulas and checks on exact
decimals (also as spreadsheet formulas and JSON for the browser); ``loading`` a form by id for every consumer.
"""

from docgen.form.builder import Built, build
from docgen.form.catalog import Catalog, catalog
from docgen.form.tree import Column, Form, Level, Table

__all__ = ["Built", "Catalog", "Column", "Form", "Level", "Table", "build", "catalog"]
