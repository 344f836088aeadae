"""The published form as the filing page's script needs it: tables, column titles, categories, presets."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from docgen.form.legacy import load_form
from docgen.models.form import Form
from docgen.models.submission import Contact, OwnProject, Project, Submission, WorkItem, field_title


@lru_cache(maxsize=8)
def page_form(year: int) -> dict[str, Any]:
    """JSON for the page: every label it shows comes from the form (column titles) or the model (field titles)."""
    form: Form = load_form(year)
    tables = []
    for spec in form.tables:
        tables.append(
            {
                "key": spec.key,
                "number": spec.number,
                "title": spec.title,
                "subtitle": spec.subtitle,
                "kind": spec.kind,
                "categories": form.category_names(spec),
                "columns": {c.key: c.title for c in spec.columns},
                "placeholder": spec.placeholder.model_dump() if spec.placeholder else None,
            }
        )
    presets = [
        {
            "id": p.id,
            "name": p.name,
            "category": form.category(p.category).name,
            "work": p.work,
            "necessity": p.necessity,
            "policy_basis": p.policy_basis,
            "remarks": p.remarks,
        }
        for p in form.presets
    ]
    field_titles = {
        "count": field_title(Project, "count"),
        "unit_amount": field_title(Project, "unit_amount"),
        "estimate": field_title(WorkItem, "estimate"),
        "amount": field_title(OwnProject, "amount"),
        "unit": field_title(Submission, "unit"),
        "date": field_title(Submission, "date"),
        "contact_name": field_title(Contact, "name"),
        "contact_phone": field_title(Contact, "phone"),
    }
    return {
        "year": form.year,
        "title": form.title,
        "notice_number": form.notice_number,
        "deadline": form.deadline.isoformat(),
        "amount_unit": form.amount_unit,
        "tables": tables,
        "presets": presets,
        "field_titles": field_titles,
    }


def units(year: int) -> list[dict[str, Any]]:
    return [u.model_dump() for u in load_form(year).units]
