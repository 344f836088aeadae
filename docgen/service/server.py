"""Run the service under uvicorn; SIGTERM or Ctrl-C shut it down gracefully and exit 0."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.service.settings import Settings


def _exit_quietly(signum: int, frame: Any) -> None:
    # uvicorn catches SIGINT/SIGTERM while it serves, drains requests, then re-raises the signal
    # to the handler that was there before it: this one, so a requested stop ends with status 0.
    raise SystemExit(0)


@dataclass(frozen=True)
class Transport:
    """How connections arrive: uvicorn's own TLS, trusted proxies' forwarded headers, how many at once."""

    certfile: Path | None = None
    keyfile: Path | None = None
    forwarded_allow_ips: str = ""  # "": no proxy is trusted (X-Forwarded-* ignored)
    max_connections: int = 256

    @property
    def https(self) -> bool:
        return self.certfile is not None


def serve(
    create_app: Callable[[Settings], Any],
    settings: Settings,
    host: str,
    port: int,
    demo: bool = False,
    log_level: str = "info",
    transport: Transport = Transport(),
) -> None:
    """Serve the application ``create_app`` builds (docgen.app's, the web app on the service: passed in
    from above, since the service never imports the web app)."""
    import uvicorn

    from docgen.service.transport import private_data

    signal.signal(signal.SIGTERM, _exit_quietly)
    signal.signal(signal.SIGINT, _exit_quietly)
    private_data(settings.data, umask=True, sqlite=not settings.database_url)
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
        # with trusted proxies, uvicorn takes the client's address from X-Forwarded-For and the scheme from
        # X-Forwarded-Proto (so the login throttle counts real clients and the cookie is Secure over HTTPS)
        proxy_headers=bool(transport.forwarded_allow_ips),
        forwarded_allow_ips=transport.forwarded_allow_ips or None,
        ssl_certfile=str(transport.certfile) if transport.certfile else None,
        ssl_keyfile=str(transport.keyfile) if transport.keyfile else None,
        limit_concurrency=transport.max_connections,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.render_timeout) + 5,
        server_header=False,
    )
    server = uvicorn.Server(config)
    print(
        f"docgen serve：{'https' if transport.https else 'http'}://{host}:{port}/ （API 文档 /docs，数据目录 {settings.data}）",
        file=sys.stderr,
        flush=True,
    )
    server.run()
    if not server.started:
        raise SystemExit(1)  # could not bind the port: uvicorn has said why
