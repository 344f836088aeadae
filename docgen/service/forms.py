"""The forms the service serves, by id (a form file's stem: 2024, 2025-fuwu-jigou).

A good form is served; an id no form has answers 404, and so does a broken form (its YAML unreadable, an
unknown column type …: it has nothing to serve), with every problem (file, line, message) under `problems`,
while the others go on. The
catalog re-reads a file when it changes, so a mended form is served at once, without a restart. Each
broken form is logged once per change of its problems, and once when it is mended.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from docgen.form.builder import Built
from docgen.form.catalog import catalog
from docgen.form.loading import available, latest
from docgen.form.tree import Form
from docgen.models.year import form_words
from docgen.service.problems import Problem

log = logging.getLogger("docgen.forms")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a form id of digits is a year: the service's years
_LOGGED: dict[str, tuple[str, ...]] = {}  # broken form id → the problems last logged
_LOCK = threading.Lock()


def form_value(form_id: str) -> int | str:
    """What a submission writes under ``form:`` for this form: the year as a number (2024), else the id."""
    return int(form_id) if form_id.isascii() and form_id.isdigit() else form_id


words = form_words  # how a message names a form: 2024 年度的征集表, or 征集表“2025-fuwu-jigou”


def problems_json(found: Built) -> list[dict[str, Any]]:
    """A broken form's problems as clients read them: the file's name (not the server's folders), line, message."""
    return [
        {
            "file": Path(p.file).name,
            "line": p.line,
            "path": p.path,
            "code": p.code,
            "message": p.message,
            "hint": p.hint,
        }
        for p in found.problems
    ]


def problem_lines(found: Built) -> list[str]:
    """One Chinese line per problem: 2025.yaml 第 12 行 tables[0].columns[1].type：…。"""
    return [
        f"{p['file']} 第 {p['line']} 行" + (f" {p['path']}" if p["path"].isascii() else "") + f"：{p['message']}"
        for p in problems_json(found)
    ]


def lookup(form_id: str) -> Built | None:
    """The build of a form by id (re-read when its file changed), its breakage logged once; None when no file has it."""
    found = catalog().get(form_id)
    if found is not None:
        note(form_id, found)
    return found


def served(form_id: str) -> Form:
    """The form with this id, or the Problem a client gets: 400 for a year outside 2000–2100, 404 for no
    such form, and 404 with its problems for a broken one."""
    found = lookup(form_id)
    if found is None:
        if (
            form_id.isascii()
            and form_id.isdigit()
            and not (len(form_id) <= 4 and FIRST_YEAR <= int(form_id) <= LAST_YEAR)
        ):
            raise Problem(400, f"征集表年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份，现为“{form_id[:20]}”。")
        raise Problem(404, f"没有{words(form_id)}。", forms=available())
    if found.form is None or not found.ok:
        raise Problem(
            404,
            f"{words(form_id)}定义有误（{len(found.problems)} 处），暂不能使用；请省局用 docgen form check 检查并修改，"
            "改好后无需重启即可使用。",
            problems=problems_json(found),
        )
    return found.form


def newest_for(unit_id: str | None = None) -> str | None:
    """The newest good form's id; with a unit, the newest whose units include it (else the newest)."""
    if unit_id is not None:
        good = catalog().good()
        for form_id in reversed(available()):
            form = good[form_id].form
            if form is not None and form.unit(unit_id) is not None:
                return form_id
    return latest()


def note(form_id: str, found: Built) -> None:
    """Log a broken form once per change of its problems, and once when it is mended."""
    said = None if found.ok else tuple(str(p) for p in found.problems)
    with _LOCK:
        before = _LOGGED.get(form_id)
        if said == before:
            return
        if said is None:
            del _LOGGED[form_id]
        else:
            _LOGGED[form_id] = said
    if said is None:
        log.info("征集表 %s 已修复，恢复使用", form_id, extra={"event": "form-mended", "form": form_id})
        return
    log.warning(
        "征集表 %s 定义有误（%d 处），暂不能使用，其他征集表照常：%s",
        form_id,
        len(said),
        "；".join(problem_lines(found)),
        extra={"event": "form-broken", "form": form_id, "file": found.file, "problems": problems_json(found)},
    )


def watch() -> None:
    """Look at every form once (at start): each broken one is logged with its problems."""
    forms = catalog()
    for form_id in forms.ids():
        found = forms.get(form_id)
        if found is not None:
            note(form_id, found)
