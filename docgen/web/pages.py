"""The web app's pages: log in and out, the clerk's filing page, the province's overview and a filing read-only.

Pages are addressed by form id (a form file's stem): /filing/2024, /province/2025-fuwu-jigou/guangzhou.
An id no form has is an address with no page (404); a broken form's pages (404 too) list its problems
while every other form is served (docgen.service.forms)."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException

from docgen import __version__
from docgen.form.builder import Built
from docgen.form.definition import UnitDef
from docgen.form.tree import Form
from docgen.service import accounts
from docgen.service import filings as store
from docgen.service.accounts import Principal
from docgen.service.credentials import same
from docgen.service.forms import form_value, lookup, newest_for, problem_lines, words
from docgen.web import sessions
from docgen.web.formdata import page_form, units

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)

# No external resource, no inline script; inline style only for the preview's srcdoc frame (the
# packet's own <style>), which runs sandboxed without scripts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_script"] = _json_for_script
    return env


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no "</" can close the element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _path(form_id: str) -> str:
    """A form id as one segment of an address (an id is a file's stem: it may hold characters to escape)."""
    return quote(form_id, safe="")


def _display_name(principal: Principal | None) -> str:
    """The header's name for who is logged in: a unit's own name (汕尾市市场监督管理局…), not its login."""
    if principal is None:
        return ""
    if principal.is_province:
        return "省局"
    return accounts.known_units().get(principal.unit_id or "", principal.name)


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("who", _display_name(context.get("principal")))
    html = _env().get_template(template).render(version=__version__, **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _home(principal: Principal) -> str:
    """The account's own page: the newest form's (for a unit, the newest form that lists it)."""
    form_id = newest_for(None if principal.is_province else principal.unit_id)
    if form_id is None:
        return "/"
    return f"/province/{_path(form_id)}" if principal.is_province else f"/filing/{_path(form_id)}"


async def _who(request: Request) -> tuple[Principal, str] | None:
    return await sessions.from_request(request)


def _next(value: object) -> str:
    """Where to go after logging in: a path of this site only (never ``//host`` or ``https://…``), else ""."""
    text = str(value or "")[:500]
    if not text.startswith("/") or text.startswith("//") or "\\" in text or any(ord(c) < 32 for c in text):
        return ""
    return text


def _login_page(
    request: Request, status: int = 200, error: str = "", name: str = "", retry_after: int = 0, next_path: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    resp = page(
        "login.html.j2",
        status,
        csrf=token,
        error=error,
        name=name,
        next_path=next_path,
        title=_newest_title(),
    )
    resp.set_cookie(sessions.LOGIN_CSRF_COOKIE, token, **{**sessions.cookie_args(request, 3600), "samesite": "strict"})
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def _newest_title() -> str:
    """The newest good form's title, as the login page names the collection ("" when no form is good)."""
    found = lookup(newest_for() or "")
    return found.form.title if found is not None and found.form is not None else ""


@router.get("/")
async def home(request: Request) -> Response:
    found = await _who(request)
    if found is not None:
        return RedirectResponse(_next(request.query_params.get("next")) or _home(found[0]), status_code=303)
    return _login_page(request, next_path=_next(request.query_params.get("next")))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=6)
    name = str(form.get("name") or "").strip()[:100]
    password = str(form.get("password") or "")[:1000]
    next_path = _next(form.get("next"))
    sent = str(form.get("csrf_token") or "")
    expected = request.cookies.get(sessions.LOGIN_CSRF_COOKIE, "")
    if not sent or not expected or not same(sent, expected):
        return _login_page(request, 403, "页面已过期，请重新输入用户名和密码。", name, next_path=next_path)
    if not name or not password:
        return _login_page(request, 400, "请输入用户名和密码。", name, next_path=next_path)
    ip = sessions.client_ip(request)
    db = request.app.state.db
    # the lock tested and this attempt counted in one transaction before the (slow) password check:
    # a burst of parallel guesses gets no more verifications than the limit allows
    wait, locking = await db.write(lambda s: sessions.begin_attempt(s, name, ip))
    if wait:
        return _login_page(
            request, 429, f"登录失败次数过多，请 {max(wait // 60, 1)} 分钟后再试。", name, wait, next_path=next_path
        )

    def attempt(s: Any) -> tuple[Principal | None, str, str, int]:
        principal = accounts.login(s, name, password)  # writes login / login-failed to the audit log
        if principal is None or principal.user_id is None:
            return None, "", "", locking
        sessions.succeeded(s, name, ip)
        secret, csrf = sessions.create(s, principal.user_id, ip)
        return principal, secret, csrf, 0

    principal, secret, _, locked = await db.write(attempt)
    if principal is None:
        if locked:
            return _login_page(
                request,
                429,
                f"登录失败次数过多，请 {max(locked // 60, 1)} 分钟后再试。",
                name,
                locked,
                next_path=next_path,
            )
        # the page says it; a 4xx only adds a console error
        return _login_page(request, 200, "用户名或密码不正确。", name, next_path=next_path)
    resp = RedirectResponse(next_path or _home(principal), status_code=303)
    resp.set_cookie(sessions.COOKIE, secret, **sessions.cookie_args(request, int(sessions.LIFETIME.total_seconds())))
    resp.delete_cookie(sessions.LOGIN_CSRF_COOKIE, path="/")
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    found = await _who(request)
    secret = request.cookies.get(sessions.COOKIE)
    if found is not None and secret and same(str(form.get("csrf_token") or ""), found[1]):
        await request.app.state.db.write(lambda s: sessions.end(s, secret))
    elif found is not None:
        return RedirectResponse(_home(found[0]), status_code=303)  # a forged logout does nothing
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(sessions.COOKIE, path="/")
    return resp


def _need_login(request: Request) -> RedirectResponse:
    return RedirectResponse("/?next=" + quote(request.url.path, safe="/"), status_code=303)


def _not_found(principal: Principal, csrf: str, text: str = "没有这个页面。") -> HTMLResponse:
    return page(
        "message.html.j2", 404, principal=principal, csrf=csrf, heading="未找到", text=text, home=_home(principal)
    )


async def not_found_page(request: Request) -> HTMLResponse:
    """An address with no page: 未找到, with a link to the account's own page (the login page when none)."""
    found = await _who(request)
    text = "没有这个页面。请检查地址是否输入正确，或返回首页。"
    if found is None:
        return page("message.html.j2", 404, heading="未找到", text=text, home="/")
    return _not_found(*found, text)


def _form_or_404(form_id: str) -> Built:
    """The build of the form an address names; an id no form has is an address with no page (a browser gets
    the 未找到 page, a program the problem document: docgen.web.notfound)."""
    found = lookup(form_id)
    if found is None:
        raise HTTPException(404, f"没有{words(form_id)}。")
    return found


def _broken(principal: Principal, csrf: str, form_id: str, found: Built) -> HTMLResponse:
    """A broken form's page (404: it has no page to show): every problem by file, line and words, the other
    forms unaffected."""
    return page(
        "message.html.j2",
        404,
        principal=principal,
        csrf=csrf,
        heading="征集表有误",
        text=f"{words(form_id)}定义有误（{len(found.problems)} 处），暂不能填报或查看；请联系省局修改"
        "（改好后无需重启即可使用）。其他征集表不受影响。各处问题：",
        items=problem_lines(found),
        home=_home(principal),
    )


def _api(form_id: str, unit: str) -> dict[str, str]:
    base = f"/api/v1/filings/{_path(form_id)}/{unit}"
    return {
        "filing": base,
        "draft": f"{base}/draft",
        "versions": f"{base}/versions",
        "submit": f"{base}/submit",
        "return": f"{base}/return",
        "files": f"{base}/files",
        "validate": "/api/v1/validate",
        "preview": "/api/v1/preview",
        "import": "/api/v1/import",
    }


async def _saved(request: Request, form_id: str, unit: str) -> tuple[bool, bool]:
    """(a version exists, a working draft exists): the page reads what there is, and asks for nothing that
    would answer 404 (a console error in the clerk's browser)."""
    from docgen.service.models import FilingDraft

    def read(s: Any) -> tuple[bool, bool]:
        filing = store.find(s, form_id, unit)
        if filing is None:
            return False, False
        return filing.latest > 0, s.get(FilingDraft, filing.id) is not None

    return await request.app.state.db.read(read)


@router.get("/filing/{form_id}")
async def filing_page(request: Request, form_id: str) -> Response:
    built = _form_or_404(form_id)
    found = await _who(request)
    if found is None:
        return _need_login(request)
    principal, csrf = found
    if principal.is_province:
        return RedirectResponse(f"/province/{_path(form_id)}", status_code=303)
    if built.form is None or not built.ok:
        return _broken(principal, csrf, form_id, built)
    form = built.form
    unit = form.unit(principal.unit_id or "")
    if unit is None:
        return _not_found(principal, csrf, f"{words(form_id)}中没有本单位。")
    return await _filing_page(request, principal, csrf, form_id, form, unit, province=False)


@router.get("/province/{form_id}")
async def province_page(request: Request, form_id: str) -> Response:
    built = _form_or_404(form_id)
    found = await _who(request)
    if found is None:
        return _need_login(request)
    principal, csrf = found
    if not principal.is_province:
        return page(
            "message.html.j2",
            403,
            principal=principal,
            csrf=csrf,
            heading="无权访问",
            text="此页面仅限省局账号。",
            home=_home(principal),
        )
    if built.form is None or not built.ok:
        return _broken(principal, csrf, form_id, built)
    form = built.form
    data = {
        "year": form_value(form_id),  # the form the page's script names (a year as a number, as before)
        "formId": form_id,
        "units": units(form),
        "tables": [{"key": t.key, "number": t.number, "subtitle": t.definition.subtitle} for t in form.tables],
        "api": {
            "filings": f"/api/v1/filings/{_path(form_id)}",
            "batches": "/api/v1/batches",
            "jobs": "/api/v1/jobs",
        },
        "links": {"filing": f"/province/{_path(form_id)}"},
    }
    return page("province.html.j2", principal=principal, csrf=csrf, form=form, data=data)


@router.get("/province/{form_id}/{unit_id}")
async def province_filing(request: Request, form_id: str, unit_id: str) -> Response:
    built = _form_or_404(form_id)
    found = await _who(request)
    if found is None:
        return _need_login(request)
    principal, csrf = found
    if not principal.is_province:
        return _not_found(principal, csrf)
    if built.form is None or not built.ok:
        return _broken(principal, csrf, form_id, built)
    form = built.form
    unit = form.unit(unit_id)
    if unit is None:
        return _not_found(principal, csrf, f"{words(form_id)}中没有这个单位。")
    return await _filing_page(request, principal, csrf, form_id, form, unit, province=True)


async def _filing_page(
    request: Request, principal: Principal, csrf: str, form_id: str, form: Form, unit: UnitDef, province: bool
) -> Response:
    """A unit's filing page: editable for the unit itself, read-only for the province; its fields, sums and
    checks come from the form's definition (formdata.page_form)."""
    shape = page_form(form)
    data = {
        "year": form_value(form_id),  # the form the page's script names (a year as a number, as before)
        "formId": form_id,
        "unit": unit.model_dump(),
        "form": shape,
        "readOnly": province,
        "api": _api(form_id, unit.id),
    }
    data["hasFiling"], data["hasDraft"] = await _saved(request, form_id, unit.id)
    return page(
        "filing.html.j2",
        principal=principal,
        csrf=csrf,
        unit=unit,
        form=form,
        form_id=form_id,
        all_tables=shape["all_tables"],
        data=data,
        api=data["api"],
        province=province,
    )
