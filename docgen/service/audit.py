"""The audit log: every state change with who, when and what."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from docgen.service.models import AuditEvent

ACTIONS = (
    "save",
    "submit",
    "return",
    "login",
    "login-failed",
    "token-create",
    "token-revoke",
    "user-add",
    "user-passwd",
    "user-disable",
    "user-enable",
)


def record(session: Session, actor: str, action: str, target: str = "", **detail: Any) -> None:
    """Add an event to the caller's transaction (so it commits, or not, with the change itself)."""
    assert action in ACTIONS, action
    session.add(AuditEvent(actor=actor, action=action, target=target, detail=detail))
