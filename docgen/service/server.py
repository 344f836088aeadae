"""Run the service under uvicorn; SIGTERM or Ctrl-C shut it down gracefully and exit 0."""

from __future__ import annotations

import signal
import sys
from typing import Any

from docgen.service.settings import Settings


def _exit_quietly(signum: int, frame: Any) -> None:
    # uvicorn catches SIGINT/SIGTERM while it serves, drains requests, then re-raises the signal
    # to the handler that was there before it: this one, so a requested stop ends with status 0.
    raise SystemExit(0)


def serve(settings: Settings, host: str, port: int, demo: bool = False, log_level: str = "info") -> None:
    import uvicorn

    from docgen.service.app import create_app

    signal.signal(signal.SIGTERM, _exit_quietly)
    signal.signal(signal.SIGINT, _exit_quietly)
    app = create_app(settings)
    if demo:
        from docgen.service.demo import seed

        logins, token, loaded = seed(app.state.db)
        print("演示账号（每次以 --demo 启动时重新生成密码）：", file=sys.stdout, flush=True)
        for login in logins:
            print(f"  {login.name:<20} {login.password:<14} {login.unit}", file=sys.stdout, flush=True)
        print(f"省局 API 令牌：{token}", file=sys.stdout, flush=True)
        print(f"已载入 {loaded} 个单位的示例填报（草稿）；已有的填报保持不变。", file=sys.stdout, flush=True)
    from docgen.service import logs

    logs.configure()  # JSON lines with the request id; uvicorn's own access log is replaced by ours
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.render_timeout) + 5,
        server_header=False,
    )
    server = uvicorn.Server(config)
    print(
        f"docgen serve：http://{host}:{port}/ （API 文档 /docs，数据目录 {settings.data}）", file=sys.stderr, flush=True
    )
    server.run()
    if not server.started:
        raise SystemExit(1)  # could not bind the port: uvicorn has said why
