"""Accounts and API tokens: who a credential is (Principal), and how CLI and web create and check them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docgen.service import audit
from docgen.service.credentials import hash_password, new_token, token_digest, verify_password
from docgen.service.models import ApiToken, User, utcnow


class AccountError(ValueError):
    """A request about accounts that cannot be done (Chinese message for the CLI)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role, the unit for role `unit`, and the user or token behind it."""

    role: str  # "unit" | "province"
    unit_id: str | None
    user_id: int | None = None
    token_id: int | None = None
    name: str = ""

    @property
    def is_province(self) -> bool:
        return self.role == "province"

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        if self.user_id is not None:
            return f"user:{self.name}"
        return f"token:{self.token_id}" + (f"（{self.name}）" if self.name else "")

    def may_read(self, unit_id: str) -> bool:
        return self.is_province or self.unit_id == unit_id


def known_units() -> dict[str, str]:
    """Unit id → name over every good form (a broken one is left out: docgen.service.forms answers for it)."""
    from docgen.form.catalog import catalog
    from docgen.form.loading import available

    good = catalog().good()
    out: dict[str, str] = {}
    for form_id in available():
        form = good[form_id].form
        for unit in form.units if form is not None else ():
            out.setdefault(unit.id, unit.name)
    return out


def _role(unit_id: str | None, province: bool) -> tuple[str, str | None]:
    if province == (unit_id is not None):
        raise AccountError("请指定 --unit 单位编号 或 --province（二者选一）")
    if unit_id is not None and unit_id not in known_units():
        raise AccountError(f"没有编号为“{unit_id}”的单位；可用：{'、'.join(known_units())}")
    return ("province", None) if province else ("unit", unit_id)


def add_user(
    session: Session, name: str, password: str, unit_id: str | None, province: bool, actor: str = "cli"
) -> User:
    role, unit = _role(unit_id, province)
    if not name.strip():
        raise AccountError("用户名不能为空")
    if len(password) < 8:
        raise AccountError("密码至少 8 个字符")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise AccountError(f"用户“{name}”已存在")
    user = User(name=name, role=role, unit_id=unit, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user-add", f"user:{name}", role=role, unit=unit)
    return user


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise AccountError(f"没有账号“{name}”")
    return user


def end_sessions(session: Session, user: User) -> int:
    """Log the user out everywhere and revoke the user's tokens (a changed password or a disabled account must
    leave no live cookie or token behind); how many sessions and tokens ended."""
    from docgen.service.models import WebSession  # the web app's sessions

    ended = session.scalars(select(WebSession.id_sha256).where(WebSession.user_id == user.id)).all()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = utcnow()
    return len(ended) + len(tokens)


def set_password(session: Session, name: str, password: str, actor: str = "cli") -> User:
    """A new password; every session of the user ends."""
    if len(password) < 8:
        raise AccountError("密码至少 8 个字符")
    user = _user(session, name)
    user.password_hash = hash_password(password)
    ended = end_sessions(session, user)
    audit.record(session, actor, "user-passwd", f"user:{name}", ended=ended)
    return user


def set_disabled(session: Session, name: str, disabled: bool, actor: str = "cli") -> User:
    """Disable (every session ends, logins refused) or enable an account."""
    user = _user(session, name)
    user.disabled = disabled
    ended = end_sessions(session, user) if disabled else 0
    audit.record(session, actor, "user-disable" if disabled else "user-enable", f"user:{name}", ended=ended)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role.desc(), User.unit_id, User.name)))


def login(session: Session, name: str, password: str) -> Principal | None:
    """Check a password (the web app's login calls this); the attempt is written to the audit log."""
    user = session.scalar(select(User).where(User.name == name))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and not user.disabled
    audit.record(session, f"user:{name}", "login" if ok else "login-failed", f"user:{name}")
    if not ok or user is None:
        return None
    return Principal(user.role, user.unit_id, user_id=user.id, name=user.name)


def create_token(
    session: Session,
    unit_id: str | None,
    province: bool,
    name: str = "",
    actor: str = "cli",
    user: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token, for a unit, the province, or a user (then with the user's role, and revoked with the
    user's password change or disable); the secret is returned here once and never stored."""
    owner = None
    if user is not None:
        if unit_id is not None or province:
            raise AccountError("--user 与 --unit、--province 不能同时使用：令牌的角色即该账号的角色")
        owner = _user(session, user)
        if owner.disabled:
            raise AccountError(f"账号“{user}”已停用")
        role, unit = owner.role, owner.unit_id
    else:
        role, unit = _role(unit_id, province)
    secret = new_token()
    row = ApiToken(
        name=name, role=role, unit_id=unit, secret_sha256=token_digest(secret), user_id=owner.id if owner else None
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "token-create", f"token:{row.id}", role=role, unit=unit, name=name)
    return row, secret


def revoke_token(session: Session, token_id: int, actor: str = "cli") -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise AccountError(f"没有编号为 {token_id} 的令牌")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "token-revoke", f"token:{row.id}", role=row.role, unit=row.unit_id)
    return row


def principal_for_token(session: Session, token: str) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.role, row.unit_id, token_id=row.id, name=row.name)
