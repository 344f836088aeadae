"""The service's tables (SQLAlchemy 2): accounts, tokens, filings, their immutable versions, the audit log;
and the web app's login sessions and throttle (the service ends a user's sessions: the tables live here, a
floor below the web app that uses them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("unit", "province")
STATUSES = ("none", "draft", "submitted", "returned")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, dt.datetime: DateTime(timezone=True)}


class User(Base):
    """A person who logs in (web app); the password is stored as an argon2 hash only."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # unit | province
    unit_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token for scripts; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # the user it was made for (`docgen token create --user`): revoked with that user's password change or disable
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)


class Filing(Base):
    """One unit's filing to one form (by id: "2024", "2025-fuwu-jigou"): its status and latest version's number."""

    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("form_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(100))  # the form file's stem (was the int year until 0007)
    unit_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    latest: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    return_reason: Mapped[str | None] = mapped_column(Text, default=None)
    returned_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    versions: Mapped[list[FilingVersion]] = relationship(back_populates="filing", order_by="FilingVersion.number")


class FilingVersion(Base):
    """One saved version: the exact bytes as sent, never changed or deleted."""

    __tablename__ = "filing_versions"
    __table_args__ = (UniqueConstraint("filing_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    submission: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)  # parsed data, when it parses
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    totals: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)  # table key → 万元 text, when valid
    # the report's verdict and counts as columns: the versions listing never loads a report
    valid: Mapped[bool] = mapped_column(default=False)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)

    filing: Mapped[Filing] = relationship(back_populates="versions")


class FilingDraft(Base):
    """A filing's one working draft (what autosave keeps between versions): overwritten, never a version."""

    __tablename__ = "filing_drafts"

    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True)
    base_version: Mapped[int] = mapped_column(Integer)  # the version it was edited from (0: none yet)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    submission: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEvent(Base):
    """Who did what, when: save, submit, return, login, token create/revoke."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # "user:NAME", "token:ID", "cli"
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebSession(Base):
    """A browser's login: only the SHA-256 of the cookie's secret is kept, with the session's CSRF token."""

    __tablename__ = "web_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    ip: Mapped[str] = mapped_column(String(64), default="")


class LoginThrottle(Base):
    """Failed logins per account ("user:NAME") and per client address ("ip:ADDR"): too many lock it a while."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "user:NAME" | "ip:ADDRESS"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    strikes: Mapped[int] = mapped_column(Integer, default=0)  # locks in a row: each one twice as long
