"""Who is calling: the `current_principal` dependency (Bearer token today; the web app adds its session cookie)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request

from docgen.service.accounts import Principal, principal_for_token
from docgen.service.problems import Problem

# Other ways to authenticate (the web app's session cookie) register here: each returns a Principal,
# None when its credential is absent, or raises Problem(401) when it is present but bad.
Authenticator = Callable[[Request], Awaitable[Principal | None]]
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="docgen"'}


def unauthorized(detail: str = "请提供有效的令牌（Authorization: Bearer …）或先登录。") -> Problem:
    return Problem(401, detail, headers=_CHALLENGE)


async def bearer(request: Request) -> Principal | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise unauthorized("Authorization 请求头应为“Bearer 令牌”。")
    principal = await request.app.state.db.read(lambda s: principal_for_token(s, token))
    if principal is None:
        raise unauthorized("令牌无效或已被吊销。")
    return principal


async def current_principal(request: Request) -> Principal:
    """The caller, from the first authenticator that recognises a credential; 401 if none does."""
    for authenticate in request.app.state.authenticators:
        principal = await authenticate(request)
        if principal is not None:
            request.state.principal = principal
            return principal
    raise unauthorized()


async def province_principal(principal: Principal = Depends(current_principal)) -> Principal:
    """Province-only endpoints: a unit's credential answers 403."""
    if not principal.is_province:
        raise Problem(403, "此操作仅限省局账号。")
    return principal
