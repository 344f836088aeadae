"""`docgen serve`, `docgen user`, `docgen token`: thin typer commands over docgen.service."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
) -> None:
    """启动填报服务（HTTP API，/docs 为接口文档）。Ctrl-C 或 SIGTERM 平稳退出。"""
    from docgen.service.server import serve as run

    if not (0 < port < 65536):
        _fail(f"端口 {port} 无效")
    if render_timeout <= 0:
        _fail("--render-timeout 应大于 0")
    settings = Settings(
        data=data,
        database_url=database,
        workers=workers or (os.cpu_count() or 1),
        render_queue=None if queue < 0 else queue,
        check_workers=None if check_workers < 0 else check_workers,
        scheduler=scheduler or None,
        render_timeout=render_timeout,
    )
    try:
        run(settings, host, port, demo=demo)
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

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    db = _db(data, database)
    try:
        user = db.write_sync(lambda s: add_user(s, name, password, unit, province))
    except AccountError as exc:
        _fail(str(exc))
    finally:
        db.dispose()
    typer.echo(f"已添加账号 {user.name}（{'省局' if user.role == 'province' else user.unit_id}）", err=True)


@token_app.command("create")
def token_create(
    unit: str | None = UnitOpt,
    province: bool = ProvinceOpt,
    name: str = typer.Option("", "--name", help="备注，如“阳光政务平台”"),
    data: Path = DataOpt,
    database: str = DatabaseOpt,
) -> None:
    """生成 API 令牌：令牌只在此显示一次（标准输出上只有令牌本身），数据库只保存其散列值。"""
    from docgen.service.accounts import AccountError, create_token

    db = _db(data, database)
    try:
        row, secret = db.write_sync(lambda s: create_token(s, unit, province, name))
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


def register(app: typer.Typer) -> None:
    """Add serve, user and token to the docgen command line."""
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
