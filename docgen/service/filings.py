"""Filings and their versions in the database: save, submit, return, read. Versions are never changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from docgen.service import audit
from docgen.service.accounts import Principal
from docgen.service.models import Filing, FilingVersion, utcnow
from docgen.service.problems import Problem
from docgen.service.reports import Checked
from docgen.service.uploads import Upload


def iso(value: dt.datetime | None) -> str | None:
    """UTC, ISO 8601 with Z (SQLite gives naive datetimes back: they are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def find(session: Session, year: int, unit: str, lock: bool = False) -> Filing | None:
    query = select(Filing).where(Filing.year == year, Filing.unit_id == unit)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def version(session: Session, filing: Filing, number: int, content: bool = True) -> FilingVersion | None:
    query = select(FilingVersion).where(FilingVersion.filing_id == filing.id, FilingVersion.number == number)
    if not content:  # up to the body limit per version: load the bytes only where they are served
        query = query.options(defer(FilingVersion.content))
    return session.scalar(query)


def latest(session: Session, year: int, unit: str, content: bool = False) -> tuple[Filing, FilingVersion]:
    filing = find(session, year, unit)
    row = version(session, filing, filing.latest, content) if filing is not None and filing.latest else None
    if filing is None or row is None:
        raise Problem(404, f"{year} 年度尚无该单位的填报。")
    return filing, row


def save(session: Session, year: int, unit: str, upload: Upload, checked: Checked, who: Principal) -> FilingVersion:
    """Add version n+1 (409 while submitted); committed with its audit event by the caller's transaction."""
    filing = find(session, year, unit, lock=True)
    if filing is None:
        filing = Filing(year=year, unit_id=unit, status="draft", latest=0)
        session.add(filing)
        session.flush()
    if filing.status == "submitted":
        raise Problem(409, "该填报已报送，不能再修改；如需修改，请联系省局退回。")
    now = utcnow()
    row = FilingVersion(
        filing_id=filing.id,
        number=filing.latest + 1,
        created_at=now,
        created_by=who.actor,
        filename=upload.filename,
        media_type=upload.media_type,
        size=len(upload.content),
        sha256=upload.sha256,
        content=upload.content,
        submission=checked.data,
        report=checked.report,
        totals=checked.totals,
    )
    session.add(row)
    filing.latest, filing.status, filing.updated_at = row.number, "draft", now
    audit.record(
        session,
        who.actor,
        "save",
        f"{year}/{unit}",
        version=row.number,
        sha256=row.sha256,
        size=row.size,
        valid=checked.valid,
    )
    session.flush()
    return row


def submit(session: Session, year: int, unit: str, who: Principal) -> tuple[Filing, FilingVersion]:
    filing = find(session, year, unit, lock=True)
    if filing is None or not filing.latest:
        raise Problem(409, "尚未保存任何版本，不能报送。")
    if filing.status == "submitted":
        raise Problem(409, "该填报已报送。")
    row = version(session, filing, filing.latest, content=False)
    assert row is not None
    if not row.report.get("valid"):
        raise Problem(
            422, f"第 {row.number} 版有 {row.report.get('errors')} 个错误，修改后才能报送。", report=row.report
        )
    now = utcnow()
    filing.status, filing.submitted_at, filing.updated_at = "submitted", now, now
    audit.record(session, who.actor, "submit", f"{year}/{unit}", version=row.number, sha256=row.sha256)
    return filing, row


def return_(session: Session, year: int, unit: str, reason: str, who: Principal) -> Filing:
    filing = find(session, year, unit, lock=True)
    if filing is None or filing.status != "submitted":
        raise Problem(409, "只有已报送的填报才能退回。")
    now = utcnow()
    filing.status, filing.return_reason, filing.returned_at, filing.updated_at = "returned", reason, now, now
    audit.record(session, who.actor, "return", f"{year}/{unit}", version=filing.latest, reason=reason)
    return filing


def describe(filing: Filing | None, row: FilingVersion | None) -> dict[str, Any]:
    """The status fields shared by the list and the latest-version answer."""
    return {
        "status": filing.status if filing else "none",
        "version": row.number if row else None,
        "updated_at": iso(filing.updated_at) if filing else None,
        # the clerk's receipt: when the filing now with the province was sent
        "submitted_at": iso(filing.submitted_at) if filing and filing.status == "submitted" else None,
        "returned": (
            {"reason": filing.return_reason, "at": iso(filing.returned_at)} if filing and filing.return_reason else None
        ),
    }


def listing(session: Session, year: int, units: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """One row per unit of the year's form, in published order."""
    filings = {f.unit_id: f for f in session.scalars(select(Filing).where(Filing.year == year))}
    rows = []
    for unit_id, name in units:
        filing = filings.get(unit_id)
        row = version(session, filing, filing.latest, content=False) if filing and filing.latest else None
        rows.append(
            {
                "unit": unit_id,
                "name": name,
                **describe(filing, row),
                "errors": row.report.get("errors") if row else None,
                "warnings": row.report.get("warnings") if row else None,
                "totals": row.totals if row else None,
            }
        )
    return rows


def version_info(row: FilingVersion) -> dict[str, Any]:
    return {
        "number": row.number,
        "time": iso(row.created_at),
        "who": row.created_by,
        "sha256": row.sha256,
        "size": row.size,
        "filename": row.filename,
        "media_type": row.media_type,
        "valid": bool(row.report.get("valid")),
    }


def versions(session: Session, year: int, unit: str) -> list[dict[str, Any]]:
    filing = find(session, year, unit)
    if filing is None:
        raise Problem(404, f"{year} 年度尚无该单位的填报。")
    rows = session.scalars(
        select(FilingVersion)
        .where(FilingVersion.filing_id == filing.id)
        .options(defer(FilingVersion.content))
        .order_by(FilingVersion.number)
    )
    return [version_info(r) for r in rows]
