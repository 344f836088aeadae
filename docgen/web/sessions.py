"""Login sessions kept in the database, their cookie, the CSRF token, and the login throttle."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docgen.service.accounts import Principal
from docgen.service.credentials import same
from docgen.service.models import User, utcnow
from docgen.service.problems import Problem
from docgen.web.models import LoginThrottle, WebSession

COOKIE = "docgen_session"
LOGIN_CSRF_COOKIE = "docgen_login_csrf"
CSRF_HEADER = "x-csrf-token"
LIFETIME = dt.timedelta(hours=10)  # a working day, then log in again
IDLE = dt.timedelta(hours=2)  # a session unused this long ends (a computer left unlocked)
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often, not on every request
MAX_FAILURES = 5  # failed logins in a row for one name from one address …
FAILURE_WINDOW = dt.timedelta(minutes=15)  # … within this time …
LOCK = dt.timedelta(minutes=5)  # … lock that pair for this long
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


def throttle_key(name: str, ip: str) -> str:
    return f"{name.strip().lower()[:200]}|{ip[:64]}"


def locked_for(session: Session, key: str) -> int:
    """Seconds until this name may try again from this address (0: now)."""
    row = session.get(LoginThrottle, key)
    if row is None or row.locked_until is None:
        return 0
    left = (_aware(row.locked_until) - utcnow()).total_seconds()
    return max(int(left + 0.999), 0)


def failed(session: Session, key: str) -> int:
    """Count a failed login; returns the seconds of lock it caused (0: none yet)."""
    now = utcnow()
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, first_at=now)
        session.add(row)
    if _aware(row.first_at) + FAILURE_WINDOW < now:
        row.failures, row.first_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK
        row.failures, row.first_at = 0, now
        return int(LOCK.total_seconds())
    return 0


def succeeded(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def user_id_of(session: Session, name: str) -> int | None:
    return session.scalar(select(User.id).where(User.name == name))
