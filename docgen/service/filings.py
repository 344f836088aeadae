"""Filings and their versions in the database: save, submit, return, read. Versions are never changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, defer

from docgen.models.year import form_words
from docgen.service import audit
from docgen.service.accounts import Principal
from docgen.service.models import Filing, FilingDraft, FilingVersion, utcnow
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


@dataclass(frozen=True)
class Expect:
    """A client's precondition on a filing (RFC 9110 §13): If-Match / If-None-Match ETags, or the version it
    edited (`base_version`, 0 for none yet). Without any, a save or submit acts on whatever is latest."""

    if_match: tuple[str, ...] | None = None
    if_none_match: tuple[str, ...] | None = None
    base_version: int | None = None

    def check(self, filing: Filing | None) -> None:
        """412 when the filing is no longer what the client saw."""
        current = etag(filing)
        number = filing.latest if filing is not None else 0
        ok = True
        if self.base_version is not None and self.base_version != number:
            ok = False
        if self.if_match is not None and not (
            (current is not None and "*" in self.if_match) or (current is not None and current in self.if_match)
        ):
            ok = False
        if (
            self.if_none_match is not None
            and current is not None
            and ("*" in self.if_none_match or current in self.if_none_match)
        ):
            ok = False
        if not ok:
            raise Problem(
                412,
                (
                    f"该填报已在别处修改，现为第 {number} 版（{STATUS_ZH.get(filing.status, '')}）"
                    if number and filing
                    else "该填报在别处有了变化"
                )
                + "，与您所依据的版本不同；请重新读取最新版本，核对后再保存或报送。",
                headers={"ETag": current} if current else {},
                current_version=number,
                status_now=filing.status if filing is not None else "none",
            )


STATUS_ZH = {"draft": "草稿", "submitted": "已报送", "returned": "已退回", "none": "未填报"}


def etag(filing: Filing | None) -> str | None:
    """The strong ETag of a filing's latest version and status (what GET answers and If-Match compares)."""
    if filing is None or not filing.latest:
        return None
    return f'"{filing.latest}-{filing.status}"'


def find(session: Session, form_id: int | str, unit: str, lock: bool = False) -> Filing | None:
    """A unit's filing to a form, by the form's id (a year given as an int is its id: 2024 → "2024")."""
    query = select(Filing).where(Filing.form_id == str(form_id), Filing.unit_id == unit)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def version(session: Session, filing: Filing, number: int, content: bool = True) -> FilingVersion | None:
    query = select(FilingVersion).where(FilingVersion.filing_id == filing.id, FilingVersion.number == number)
    if not content:  # up to the body limit per version: load the bytes only where they are served
        query = query.options(defer(FilingVersion.content))
    return session.scalar(query)


def latest(session: Session, form_id: int | str, unit: str, content: bool = False) -> tuple[Filing, FilingVersion]:
    filing = find(session, form_id, unit)
    row = version(session, filing, filing.latest, content) if filing is not None and filing.latest else None
    if filing is None or row is None:
        raise Problem(404, f"{form_words(str(form_id))}尚无该单位的填报。")
    return filing, row


def _filing_for_write(session: Session, form_id: int | str, unit: str, expect: Expect) -> Filing:
    """The filing locked for this transaction (created when new), after the client's precondition; 409 while submitted."""
    filing = find(session, form_id, unit, lock=True)
    expect.check(filing)
    if filing is None:
        filing = Filing(form_id=str(form_id), unit_id=unit, status="draft", latest=0)
        session.add(filing)
        session.flush()
    if filing.status == "submitted":
        raise Problem(409, "该填报已报送，不能再修改；如需修改，请联系省局退回。")
    return filing


def stored_bytes(session: Session, unit: str) -> int:
    """Bytes of every version the unit ever saved (every form): what its quota counts."""
    total = session.scalar(
        select(func.coalesce(func.sum(FilingVersion.size), 0))
        .join(Filing, Filing.id == FilingVersion.filing_id)
        .where(Filing.unit_id == unit)
    )
    return int(total or 0)


def save(
    session: Session,
    form_id: int | str,
    unit: str,
    upload: Upload,
    checked: Checked,
    who: Principal,
    expect: Expect = Expect(),
    quota: int | None = None,
) -> tuple[FilingVersion, bool, str]:
    """(version n+1, True, its ETag), or the latest again when its bytes are the same (False); the working draft
    is superseded either way. 412 on a failed precondition, 409 while submitted, 413 past the unit's quota.
    Committed with its audit event by the caller's transaction."""
    filing = _filing_for_write(session, form_id, unit, expect)
    session.execute(delete(FilingDraft).where(FilingDraft.filing_id == filing.id))
    if filing.latest:
        last = version(session, filing, filing.latest, content=False)
        if last is not None and last.sha256 == upload.sha256 and last.media_type == upload.media_type:
            return last, False, etag(filing) or ""
    if quota is not None and stored_bytes(session, unit) + len(upload.content) > quota:
        raise Problem(
            413,
            f"本单位保存的各版本已达存储上限 {quota / 1024 / 1024:g} MB，不能再保存新版本；请联系省局。",
        )
    now = utcnow()
    report = checked.report
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
        report=report,
        totals=checked.totals,
        valid=bool(report.get("valid")),
        errors=int(report.get("errors") or 0),
        warnings=int(report.get("warnings") or 0),
    )
    session.add(row)
    # a returned filing stays returned (with the province's reason) until it is submitted again
    filing.latest, filing.updated_at = row.number, now
    if filing.status != "returned":
        filing.status = "draft"
    audit.record(
        session,
        who.actor,
        "save",
        f"{form_id}/{unit}",
        version=row.number,
        sha256=row.sha256,
        size=row.size,
        valid=checked.valid,
    )
    session.flush()
    return row, True, etag(filing) or ""


def save_draft(
    session: Session,
    form_id: int | str,
    unit: str,
    upload: Upload,
    checked: Checked,
    who: Principal,
    expect: Expect = Expect(),
) -> FilingDraft:
    """Autosave: overwrite the filing's one working draft (no version, no audit event, status unchanged)."""
    filing = _filing_for_write(session, form_id, unit, expect)
    draft = session.get(FilingDraft, filing.id)
    if draft is None:
        draft = FilingDraft(filing_id=filing.id)
        session.add(draft)
    draft.base_version, draft.updated_at, draft.updated_by = filing.latest, utcnow(), who.actor
    draft.filename, draft.media_type, draft.size = upload.filename, upload.media_type, len(upload.content)
    draft.sha256, draft.content = upload.sha256, upload.content
    draft.submission, draft.report = checked.data, checked.report
    session.flush()
    return draft


def draft_of(session: Session, form_id: int | str, unit: str) -> FilingDraft:
    filing = find(session, form_id, unit)
    draft = session.get(FilingDraft, filing.id) if filing is not None else None
    if draft is None:
        raise Problem(404, "没有自动保存的草稿。")
    return draft


def draft_info(draft: FilingDraft) -> dict[str, Any]:
    return {
        "base_version": draft.base_version,
        "updated_at": iso(draft.updated_at),
        "by": draft.updated_by,
        "sha256": draft.sha256,
        "filename": draft.filename,
        "submission": draft.submission,
        "report": draft.report,
    }


def submit(
    session: Session, form_id: int | str, unit: str, who: Principal, expect: Expect = Expect()
) -> tuple[Filing, FilingVersion]:
    """Submit the latest version, the one the client reviewed when it says so (412 otherwise)."""
    filing = find(session, form_id, unit, lock=True)
    if filing is None or not filing.latest:
        raise Problem(409, "尚未保存任何版本，不能报送。")
    expect.check(filing)
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
    session.execute(delete(FilingDraft).where(FilingDraft.filing_id == filing.id))
    audit.record(session, who.actor, "submit", f"{form_id}/{unit}", version=row.number, sha256=row.sha256)
    return filing, row


def return_(session: Session, form_id: int | str, unit: str, reason: str, who: Principal) -> Filing:
    filing = find(session, form_id, unit, lock=True)
    if filing is None or filing.status != "submitted":
        raise Problem(409, "只有已报送的填报才能退回。")
    now = utcnow()
    filing.status, filing.return_reason, filing.returned_at, filing.updated_at = "returned", reason, now, now
    audit.record(session, who.actor, "return", f"{form_id}/{unit}", version=filing.latest, reason=reason)
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


def _summary(session: Session, filing: Filing) -> FilingVersion | None:
    """The latest version without its bytes, parsed submission or report (a list row needs none of them)."""
    query = select(FilingVersion).where(FilingVersion.filing_id == filing.id, FilingVersion.number == filing.latest)
    return session.scalar(
        query.options(defer(FilingVersion.content), defer(FilingVersion.submission), defer(FilingVersion.report))
    )


def listing(session: Session, form_id: int | str, units: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """One row per unit of the form, in published order."""
    filings = {f.unit_id: f for f in session.scalars(select(Filing).where(Filing.form_id == str(form_id)))}
    rows = []
    for unit_id, name in units:
        filing = filings.get(unit_id)
        row = _summary(session, filing) if filing and filing.latest else None
        rows.append(
            {
                "unit": unit_id,
                "name": name,
                **describe(filing, row),
                "errors": row.errors if row else None,
                "warnings": row.warnings if row else None,
                "totals": row.totals if row else None,
            }
        )
    return rows


VERSION_COLUMNS = (
    FilingVersion.number,
    FilingVersion.created_at,
    FilingVersion.created_by,
    FilingVersion.sha256,
    FilingVersion.size,
    FilingVersion.filename,
    FilingVersion.media_type,
    FilingVersion.valid,
    FilingVersion.errors,
    FilingVersion.warnings,
)


def versions(
    session: Session, form_id: int | str, unit: str, offset: int = 0, limit: int = 100
) -> tuple[list[dict], int]:
    """One page of the versions, oldest first, from their metadata columns only (never bytes or reports)."""
    filing = find(session, form_id, unit)
    if filing is None:
        raise Problem(404, f"{form_words(str(form_id))}尚无该单位的填报。")
    total = session.scalar(select(func.count()).where(FilingVersion.filing_id == filing.id)) or 0
    rows = session.execute(
        select(*VERSION_COLUMNS)
        .where(FilingVersion.filing_id == filing.id)
        .order_by(FilingVersion.number)
        .offset(offset)
        .limit(limit)
    )
    return [
        {
            "number": r.number,
            "time": iso(r.created_at),
            "who": r.created_by,
            "sha256": r.sha256,
            "size": r.size,
            "filename": r.filename,
            "media_type": r.media_type,
            "valid": bool(r.valid),
            "errors": r.errors,
            "warnings": r.warnings,
        }
        for r in rows
    ], int(total)
