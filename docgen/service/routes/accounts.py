"""The province manages units' accounts: reset a unit's password (its sessions end)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Body, Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.service import accounts
from docgen.service.accounts import AccountError, Principal
from docgen.service.auth import province_principal
from docgen.service.models import User
from docgen.service.problems import Problem, problems_for

router = APIRouter(prefix="/api/v1/accounts", tags=["账号"])


@router.post(
    "/{name}/password",
    summary="重设单位账号的密码（省局）",
    description='为单位账号设置新密码：请求体 {"password": "…"}（至少 8 个字符）；不给 password 时生成一个随机密码，'
    "只在此响应中出现一次。该账号的所有登录会话随即失效。省局账号的密码请用命令 docgen user passwd 修改。",
    responses=problems_for(403, 404, 422),
)
async def reset_password(
    request: Request,
    name: str = Path(..., max_length=100, description="登录名"),
    body: dict | None = Body(None, examples=[{"password": "新的密码-2024"}]),
    principal: Principal = Depends(province_principal),
) -> dict:
    password = (body or {}).get("password") if isinstance(body, dict) else None
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    if not isinstance(password, str) or len(password) > 1000:
        raise Problem(422, "password 应为文本，至少 8 个字符。")

    def reset(session: Session) -> str:
        user = session.scalar(select(User).where(User.name == name))
        if user is None or user.role != "unit":
            raise Problem(404, f"没有单位账号“{name}”。")
        try:
            accounts.set_password(session, name, str(password), actor=principal.actor)
        except AccountError as exc:
            raise Problem(422, str(exc)) from None
        return user.unit_id or ""

    unit = await request.app.state.db.write(reset)
    out: dict[str, object] = {"name": name, "unit": unit, "sessions_ended": True}
    if generated:
        out["password"] = password
    return out
