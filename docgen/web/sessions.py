"""Login sessions kept in the database, their cookie, the CSRF token, and the login throttle."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from docgen.service.accounts import Principal
from docgen.service.credentials import same
from docgen.service.models import LoginThrottle, User, WebSession, utcnow
from docgen.service.problems import Problem

COOKIE = "docgen_session"
LOGIN_CSRF_COOKIE = "docgen_login_csrf"
CSRF_HEADER = "x-csrf-token"
LIFETIME = dt.timedelta(hours=10)  # a working day, then log in again
IDLE = dt.timedelta(hours=2)  # a session unused this long ends (a computer left unlocked)
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often, not on every request
MAX_FAILURES = 5  # failed logins in a row for one account …
FAILURE_WINDOW = dt.timedelta(minutes=15)  # … within this time …
LOCK = dt.timedelta(minutes=5)  # … lock it for this long (then twice as long at each next lock)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


# ---------------------------------------------------------------------------- sessions


def create(session: Session, user_id: int, ip: str) -> tuple[str, str]:
    """A new session for the user: (cookie secret, CSRF token). Only the secret's hash is stored."""
    secret, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
    session.add(
        WebSession(
            id_sha256=digest(secret),
            user_id=user_id,
            csrf=csrf,
            created_at=now,
            last_seen=now,
            expires_at=now + LIFETIME,
            ip=ip[:64],
        )
    )
    # old, expired sessions of anyone go with the next login
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return secret, csrf


def lookup(session: Session, secret: str) -> tuple[Principal, str] | None:
    """(who, CSRF token) for a live session; None when unknown, expired, idle too long or its user disabled."""
    row = session.get(WebSession, digest(secret))
    if row is None:
        return None
    now = utcnow()
    if _aware(row.expires_at) <= now or _aware(row.last_seen) + IDLE <= now:
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    if now - _aware(row.last_seen) > TOUCH_EVERY:
        row.last_seen = now
    return Principal(user.role, user.unit_id, user_id=user.id, name=user.name), row.csrf


def end(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_sha256 == digest(secret)))


async def from_request(request: Request) -> tuple[Principal, str] | None:
    """The request's session (cached on the request), or None without a live one."""
    if hasattr(request.state, "web_session"):
        return request.state.web_session
    secret = request.cookies.get(COOKIE)
    found = None
    if secret and len(secret) <= 100:
        found = await request.app.state.db.write(lambda s: lookup(s, secret))
    request.state.web_session = found
    return found


async def authenticate(request: Request) -> Principal | None:
    """The service's authenticator for the session cookie: a state-changing request must carry the
    session's CSRF token in the X-CSRF-Token header (a form posts it as a field instead, see pages)."""
    if COOKIE not in request.cookies:
        return None
    found = await from_request(request)
    if found is None:
        raise Problem(401, "登录已过期，请重新登录。")
    principal, csrf = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not same(sent, csrf):
            raise Problem(403, "请求缺少有效的 CSRF 令牌；请刷新页面后重试。")
    return principal


def cookie_args(request: Request, max_age: int) -> dict:
    """HttpOnly, SameSite=Lax (links from mail still open the app; every change needs the CSRF token),
    Secure whenever the app is reached over HTTPS."""
    return {
        "max_age": max_age,
        "httponly": True,
        "samesite": "lax",
        "secure": request.url.scheme == "https",
        "path": "/",
    }


# ---------------------------------------------------------------------------- throttle


@dataclass(frozen=True)
class Limit:
    """Failures that lock a key, within what time, and the first lock (each next one twice as long)."""

    failures: int
    window: dt.timedelta
    lock: dt.timedelta
    longest: dt.timedelta = dt.timedelta(hours=1)

    def lock_for(self, strikes: int) -> dt.timedelta:
        return min(self.lock * (2 ** min(strikes, 12)), self.longest)


# An account locks after 5 failures in a row from anywhere; an address (the real client's, from a trusted
# proxy's X-Forwarded-For) after 20 failures on any accounts, so one guesser behind a proxy or NAT locks
# neither every colleague behind it nor, trying many names, escapes the per-account count.
ACCOUNT = Limit(MAX_FAILURES, FAILURE_WINDOW, LOCK)
ADDRESS = Limit(20, FAILURE_WINDOW, LOCK)
FORGET_STRIKES = dt.timedelta(days=1)  # a key quiet this long starts again from the shortest lock


def throttle_keys(name: str, ip: str) -> dict[str, Limit]:
    return {f"user:{name.strip().lower()[:200]}": ACCOUNT, f"ip:{ip[:64]}": ADDRESS}


def _locked_rows(session: Session, keys: list[str]) -> list[LoginThrottle]:
    """The keys' rows, created when missing and locked for this transaction (SELECT … FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so concurrent attempts queue here."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for key in keys:
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, first_at=now, locked_until=None, strikes=0)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key).with_for_update()
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _left(row: LoginThrottle, now: dt.datetime) -> int:
    if row.locked_until is None:
        return 0
    return max(int((_aware(row.locked_until) - now).total_seconds() + 0.999), 0)


def begin_attempt(session: Session, name: str, ip: str) -> tuple[int, int]:
    """Before a password is verified, in one transaction: test the locks and count this attempt as a failure
    (undone by `succeeded`). (seconds to wait, 0: go on; seconds of the lock this attempt set, if any)."""
    now = utcnow()
    limits = throttle_keys(name, ip)
    rows = _locked_rows(session, list(limits))
    wait = max((_left(row, now) for row in rows), default=0)
    if wait:
        return wait, 0
    caused = 0
    for row in rows:
        limit = limits[row.key]
        if _aware(row.first_at) + limit.window < now:
            if _aware(row.first_at) + FORGET_STRIKES < now:
                row.strikes = 0
            row.failures, row.first_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit.failures:
            lock = limit.lock_for(row.strikes)
            row.locked_until, row.failures, row.first_at = now + lock, 0, now
            row.strikes += 1
            caused = max(caused, int(lock.total_seconds()))
    return 0, caused


def succeeded(session: Session, name: str, ip: str) -> None:
    """The right password: the account starts afresh, and the address's count forgets this attempt."""
    account, address = list(throttle_keys(name, ip))
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))
    row = session.get(LoginThrottle, address)
    if row is not None and row.failures > 0:
        row.failures -= 1


def user_id_of(session: Session, name: str) -> int | None:
    return session.scalar(select(User.id).where(User.name == name))
