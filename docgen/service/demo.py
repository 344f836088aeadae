"""`docgen serve --demo`: a province login, one login per unit, and the 23 example filings as drafts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.io.paths import DATA_DIR
from docgen.service import accounts
from docgen.service import filings as store
from docgen.service.credentials import hash_password
from docgen.service.db import Database
from docgen.service.models import User
from docgen.service.reports import Checked, check_upload
from docgen.service.uploads import SUFFIX_KIND, Upload

DEMO_YEAR = 2024


@dataclass(frozen=True)
class Login:
    name: str
    password: str
    role: str
    unit: str  # unit name, or 省局


def _ensure_user(session: Session, name: str, role: str, unit_id: str | None) -> tuple[User, str]:
    """Create the demo user, or give it a fresh password (so every --demo start can print its logins)."""
    password = secrets.token_urlsafe(9)
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = accounts.add_user(session, name, password, unit_id, role == "province", actor="demo")
    else:
        user.password_hash = hash_password(password)
    return user, password


def _draft(session: Session, unit_id: str, upload: Upload, checked: Checked) -> int:
    """Save the example as the unit's first version, unless the unit has a filing already."""
    if store.find(session, DEMO_YEAR, unit_id) is not None:
        return 0
    who = accounts.Principal("unit", unit_id, user_id=0, name=unit_id)
    store.save(session, DEMO_YEAR, unit_id, upload, checked, who)
    return 1


def seed(db: Database, examples: Path = DATA_DIR / "submissions" / str(DEMO_YEAR)) -> tuple[list[Login], str, int]:
    """Seed logins and drafts (an existing filing is left alone): the logins, a province API token, drafts added."""
    from docgen.form.loading import load

    form = load(str(DEMO_YEAR))
    logins: list[Login] = []

    def users(session: Session) -> str:
        _, pw = _ensure_user(session, "province", "province", None)
        logins.append(Login("province", pw, "province", "省局"))
        for unit in form.units:
            _, pw = _ensure_user(session, unit.id, "unit", unit.id)
            logins.append(Login(unit.id, pw, "unit", unit.name))
        _, token = accounts.create_token(session, None, True, name="demo", actor="demo")
        return token

    token = db.write_sync(users)
    loaded = 0
    for unit in form.units:
        path = next((examples / f"{unit.id}{s}" for s in SUFFIX_KIND if (examples / f"{unit.id}{s}").exists()), None)
        if path is None:
            continue
        upload = Upload(path.read_bytes(), path.name, SUFFIX_KIND[path.suffix])
        checked = check_upload(upload)

        loaded += db.write_sync(partial(_draft, unit_id=unit.id, upload=upload, checked=checked))
    return logins, token, loaded
