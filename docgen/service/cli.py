"""`docgen serve`, `docgen user`, `docgen token`: thin typer commands over docgen.service."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from docgen.service.settings import DEFAULT_DATA, Settings

DataOpt = typer.Option(DEFAULT_DATA, "--data", help="数据目录：内置数据库（SQLite）和生成文件的存放处；首次启动时创建")
DatabaseOpt = typer.Option(
    "",
    "--database",
    envvar="DOCGEN_DATABASE_URL",
    show_envvar=True,
    help="数据库地址，如 postgresql://用户:密码@主机/库名；默认使用数据目录中的 SQLite",
)
UnitOpt = typer.Option(None, "--unit", help="单位编号（如 guangzhou、protection-center）")
ProvinceOpt = typer.Option(False, "--province", help="省局账号（可查看所有单位、退回、汇总）")

user_app = typer.Typer(help="管理网页登录账号。", no_args_is_help=True)
token_app = typer.Typer(help="管理 API 令牌（供脚本和其他系统调用）。", no_args_is_help=True)


def _db(data: Path, database: str):
    from docgen.service.db import Database
    from docgen.service.transport import private_data

    private_data(data, sqlite=not database)  # the SQLite file holds password hashes: the owner's alone
    db = Database.from_settings(Settings(data=data, database_url=database))
    db.migrate()
    return db


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（对外服务时用 0.0.0.0）"),
    port: int = typer.Option(8000, "--port", help="监听端口"),
    data: Path = DataOpt,
    database: str = DatabaseOpt,
    workers: int = typer.Option(0, "--workers", help="生成进程数（默认等于 CPU 核数）"),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="批量任务交给该 Dask 调度器（如 tcp://127.0.0.1:8786），同 docgen batch --scheduler；"
        "默认在本机生成进程中运行",
    ),
    queue: int = typer.Option(
        -1, "--queue", help="最多排队等待的生成请求数（默认每个生成进程 4 个）；队列满时返回 429 和 Retry-After"
    ),
    check_workers: int = typer.Option(
        -1,
        "--check-workers",
        help="检查进程数（默认等于 CPU 核数）：检查填报在这些进程中并行进行；0 表示在服务进程内检查",
    ),
    render_timeout: float = typer.Option(
        60.0, "--render-timeout", help="单次生成的时限（秒）；超时的生成进程被终止并替换，请求返回 504"
    ),
    demo: bool = typer.Option(
        False, "--demo", help="演示模式：创建省局和各单位的登录账号（打印出来），并载入 23 个示例填报作为草稿"
    ),
    certfile: Path | None = typer.Option(
        None, "--certfile", help="HTTPS：证书文件（PEM，可含中间证书）；与 --keyfile 一起使用时直接以 HTTPS 服务"
    ),
    keyfile: Path | None = typer.Option(None, "--keyfile", help="HTTPS：证书的私钥文件（PEM）"),
    forwarded_allow_ips: str = typer.Option(
        "",
        "--forwarded-allow-ips",
        help="信任其 X-Forwarded-For / X-Forwarded-Proto 请求头的反向代理地址（逗号分隔，如 127.0.0.1）；"
        "默认不信任任何代理",
    ),
    max_connections: int = typer.Option(
        256, "--max-connections", help="同时处理的连接和请求上限；超过时返回 503，不再占用资源"
    ),
    saves_per_minute: int = typer.Option(
        60, "--saves-per-minute", help="每个单位每分钟最多保存的版本数（自动保存另计，为其 4 倍）；超过时返回 429"
    ),
    unit_quota_mb: float = typer.Option(
        1024, "--unit-quota-mb", help="每个单位保存的各版本合计的存储上限（MB）；超过时返回 413"
    ),
    body_timeout: float = typer.Option(
        60.0, "--body-timeout", help="请求内容须在此秒数内传完，否则返回 408 并关闭连接（防止慢速发送占住连接）"
    ),
    forms: Path | None = typer.Option(
        None,
        "--forms",
        help="省局自己的征集表定义目录（与内置的 data/forms/ 并用，同编号的以此为准；文件修改后无需重启）；"
        "也可设 DOCGEN_FORMS",
    ),
) -> None:
    """启动填报服务（HTTP API，/docs 为接口文档）。Ctrl-C 或 SIGTERM 平稳退出。"""
    from docgen.service.server import Transport
    from docgen.service.server import serve as run

    if not (0 < port < 65536):
        _fail(f"端口 {port} 无效")
    if render_timeout <= 0:
        _fail("--render-timeout 应大于 0")
    if (certfile is None) != (keyfile is None):
        _fail("--certfile 和 --keyfile 须同时给出")
    for path in (certfile, keyfile):
        if path is not None and not path.is_file():
            _fail(f"找不到文件 {path}")
    if max_connections < 1 or body_timeout <= 0:
        _fail("--max-connections 和 --body-timeout 应大于 0")
    if forms is not None:
        if not forms.is_dir():
            _fail(f"--forms 应为存放征集表定义的目录，但“{forms}”不是目录。")
        from docgen.form.catalog import use_forms_dir

        use_forms_dir(forms)  # the render and check workers, forked later, inherit it
    settings = Settings(
        data=data,
        database_url=database,
        workers=workers or (os.cpu_count() or 1),
        render_queue=None if queue < 0 else queue,
        check_workers=None if check_workers < 0 else check_workers,
        scheduler=scheduler or None,
        render_timeout=render_timeout,
        body_timeout=body_timeout,
        saves_per_minute=max(saves_per_minute, 0),
        drafts_per_minute=max(saves_per_minute, 0) * 4,
        unit_quota=int(max(unit_quota_mb, 0) * 1024 * 1024),
    )
    transport = Transport(
        certfile=certfile, keyfile=keyfile, forwarded_allow_ips=forwarded_allow_ips, max_connections=max_connections
    )
    try:
        run(_create_app, settings, host, port, demo=demo, transport=transport)
    except Exception as exc:
        if os.environ.get("DOCGEN_DEBUG"):
            raise
        _fail(f"docgen serve 无法启动：{type(exc).__name__}: {exc}", 1)


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="登录名"),
    unit: str | None = UnitOpt,
    province: bool = ProvinceOpt,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码（第一行）"),
    data: Path = DataOpt,
    database: str = DatabaseOpt,
) -> None:
    """添加登录账号：单位账号（--unit）或省局账号（--province）。"""
    from docgen.service.accounts import AccountError, add_user

    password = _password(password_stdin)
    db = _db(data, database)
    try:
        user = db.write_sync(lambda s: add_user(s, name, password, unit, province))
    except AccountError as exc:
        _fail(str(exc))
    finally:
        db.dispose()
    typer.echo(f"已添加账号 {user.name}（{'省局' if user.role == 'province' else user.unit_id}）", err=True)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("新密码", hide_input=True, confirmation_prompt=True))


@user_app.command("passwd")
def user_passwd(
    name: str = typer.Argument(..., help="登录名"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取新密码（第一行）"),
    data: Path = DataOpt,
    database: str = DatabaseOpt,
) -> None:
    """修改账号的密码；该账号的所有登录会话随即失效。"""
    from docgen.service.accounts import set_password

    password = _password(password_stdin)
    _account_change(data, database, lambda s: set_password(s, name, password))
    typer.echo(f"已修改账号 {name} 的密码；其登录会话和令牌已全部失效", err=True)


def _account_change(data: Path, database: str, change: Callable[[Any], object]) -> None:
    """Run an account change in one transaction; its AccountError is the command's Chinese message (exit 2)."""
    from docgen.service.accounts import AccountError

    db = _db(data, database)
    try:
        db.write_sync(change)
    except AccountError as exc:
        _fail(str(exc))
    finally:
        db.dispose()


def _set_disabled(name: str, disabled: bool, data: Path, database: str) -> None:
    from docgen.service.accounts import set_disabled

    _account_change(data, database, lambda s: set_disabled(s, name, disabled))


@user_app.command("disable")
def user_disable(
    name: str = typer.Argument(..., help="登录名"), data: Path = DataOpt, database: str = DatabaseOpt
) -> None:
    """停用账号：立即退出所有登录会话，此后不能登录（数据保留，可用 enable 恢复）。"""
    _set_disabled(name, True, data, database)
    typer.echo(f"已停用账号 {name}；其登录会话和令牌已全部失效", err=True)


@user_app.command("enable")
def user_enable(
    name: str = typer.Argument(..., help="登录名"), data: Path = DataOpt, database: str = DatabaseOpt
) -> None:
    """恢复已停用的账号。"""
    _set_disabled(name, False, data, database)
    typer.echo(f"已恢复账号 {name}", err=True)


@user_app.command("list")
def user_list(data: Path = DataOpt, database: str = DatabaseOpt) -> None:
    """列出所有账号：登录名、角色（省局或单位编号）、是否停用。"""
    from docgen.service.accounts import list_users

    db = _db(data, database)
    try:
        users = db.read_sync(lambda s: [(u.name, u.role, u.unit_id, u.disabled) for u in list_users(s)])
    finally:
        db.dispose()
    for name, role, unit, disabled in users:
        typer.echo(f"{name}\t{'省局' if role == 'province' else unit}\t{'已停用' if disabled else '正常'}")


@token_app.command("create")
def token_create(
    unit: str | None = UnitOpt,
    province: bool = ProvinceOpt,
    name: str = typer.Option("", "--name", help="备注，如“阳光政务平台”"),
    user: str | None = typer.Option(
        None, "--user", help="为该登录账号生成（角色同该账号）；该账号改密码或停用时令牌随之吊销"
    ),
    data: Path = DataOpt,
    database: str = DatabaseOpt,
) -> None:
    """生成 API 令牌：令牌只在此显示一次（标准输出上只有令牌本身），数据库只保存其散列值。"""
    from docgen.service.accounts import AccountError, create_token

    db = _db(data, database)
    try:
        row, secret = db.write_sync(lambda s: create_token(s, unit, province, name, user=user))
    except AccountError as exc:
        _fail(str(exc))
    finally:
        db.dispose()
    typer.echo(secret)
    typer.echo(
        f"令牌编号 {row.id}（{'省局' if row.role == 'province' else row.unit_id}）；请妥善保存，此后不再显示。"
        f"吊销：docgen token revoke {row.id}",
        err=True,
    )


@token_app.command("revoke")
def token_revoke(
    token_id: int = typer.Argument(..., help="令牌编号（docgen token create 时显示）"),
    data: Path = DataOpt,
    database: str = DatabaseOpt,
) -> None:
    """吊销 API 令牌，立即生效。"""
    from docgen.service.accounts import AccountError, revoke_token

    db = _db(data, database)
    try:
        db.write_sync(lambda s: revoke_token(s, token_id))
    except AccountError as exc:
        _fail(str(exc), 1)
    finally:
        db.dispose()
    typer.echo(f"已吊销令牌 {token_id}", err=True)


def _no_app(settings: Settings) -> Any:
    raise RuntimeError("docgen.service.cli.register() was not given the application to serve")


_create_app: Callable[[Settings], Any] = _no_app  # docgen.app.create_app, given by register()


def register(app: typer.Typer, create_app: Callable[[Settings], Any]) -> None:
    """Add serve, user and token to the docgen command line; `serve` runs what ``create_app`` builds
    (the caller composes the application: the service does not import the web app above it)."""
    global _create_app
    _create_app = create_app
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
