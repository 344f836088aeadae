"""WeasyPrint reads only docgen's own files (docgen.writers.pdf.fetcher): hostile HTML names the network and
a secret file, and neither a request nor a byte of the secret comes out (issue 10).

The first test builds the hostile HTML itself and renders it through the engine, so it fails
as soon as documents get WeasyPrint's default fetcher again, whatever the templates escape.
The other two go through a submission and a notice whose text names the same URLs.
"""

from __future__ import annotations

import base64
import http.server
import io
import subprocess
import threading
from pathlib import Path
from typing import ClassVar

import pypdf
import pytest
import yaml

from docgen.io.paths import DATA_DIR, TEMPLATES_DIR
from docgen.writers.pdf import engine

SECRET = "docgen-secret-7f3a9c1e-do-not-embed"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = PNG_1PX
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """An HTTP server on 127.0.0.1 that records every request (there must be none)."""
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def secret(tmp_path: Path) -> dict[str, Path]:
    """A secret text file and a secret image outside every folder docgen may read."""
    folder = tmp_path / "secret"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "secret.png").write_bytes(PNG_1PX)
    (folder / "secret.css").write_text(f"body::after {{ content: '{SECRET}' }}", encoding="utf-8")
    return {p.stem + p.suffix: p for p in folder.iterdir()}


def hostile(base: str, secret: dict[str, Path]) -> str:
    """Markup that makes an unguarded WeasyPrint fetch the network and embed local files."""
    txt, png, css = (secret[k].as_uri() for k in ("secret.txt", "secret.png", "secret.css"))
    svg = base64.b64encode(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><image href="{png}" xlink:href="{base}/svg.png" width="10" '
        f'height="10"/></svg>'.encode()
    ).decode()
    return (
        f'<img src="{base}/img.png"><img src="{png}"><img src="data:image/svg+xml;base64,{svg}">'
        f'<a rel="attachment" href="{txt}">附件</a><a rel="attachment" href="{base}/att.txt">附件</a>'
        f'<div style="background: url({base}/bg.png); height: 5mm"></div>'
        f'<div style="background-image: url({png}); height: 5mm"></div>'
        f'<link rel="stylesheet" href="{css}"><link rel="stylesheet" href="{base}/x.css">'
        f'<link rel="attachment" href="{txt}"><object data="{png}" type="image/png"></object>'
        f'<embed src="{base}/embed.png" type="image/png">'
        f'<style>@import url("{base}/import.css"); @import url("{css}");'
        f'@font-face {{ font-family: evil; src: url("{txt}"), url("{base}/font.otf") }}'
        f'p.evil {{ font-family: evil; list-style-image: url({png}) }}</style><p class="evil">文字</p>'
    )


def assert_clean(pdf: bytes, requests: list[str], require_tool, tmp_path: Path, own: set[str] = frozenset()) -> None:
    """No request reached the server; the secret is nowhere in the PDF, its attachments or images."""
    assert requests == [], f"WeasyPrint fetched from the network: {requests}"
    assert SECRET.encode() not in pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    attachments = reader.attachments
    assert set(attachments) <= set(own), f"unexpected attachments: {sorted(attachments)}"
    for name, contents in attachments.items():
        assert all(SECRET.encode() not in c for c in contents), name
    assert all(len(page.images) == 0 for page in reader.pages), "an image was fetched and embedded"
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert SECRET not in text
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        [require_tool("pdfdetach"), "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    listed = {line.split(":", 1)[1].strip() for line in listing.splitlines()[1:] if ":" in line}
    assert listed == set(attachments), listing
    saved = tmp_path / "detached"
    saved.mkdir()
    subprocess.run(
        [require_tool("pdfdetach"), "-saveall", "-o", str(saved), str(path)], check=True, capture_output=True
    )
    for file in saved.iterdir():
        assert SECRET.encode() not in file.read_bytes(), file.name


def test_engine_refuses_everything_but_docgen_files(server, secret, require_tool, tmp_path: Path) -> None:
    base, requests = server
    css = engine.jinja_env(TEMPLATES_DIR).get_template("html/gbt9704.css.j2").render(**engine.template_context())
    html = (
        f"<html lang='zh-CN'><head><style>{css}</style></head><body><p class='fangsong'>公文</p>"
        f"{hostile(base, secret)}</body></html>"
    )
    doc = engine.render_html(html, base_url=TEMPLATES_DIR)
    meta = engine.PdfMetadata(title="hostile")
    pdf = engine.write_document(doc, metadata=meta, attachments=[engine.PdfAttachment("own.txt", b"own")])
    assert_clean(pdf, requests, require_tool, tmp_path, own={"own.txt"})
    # docgen's own fonts still load (by path): the text is drawn in the 仿宋 role's face
    fonts = {
        str(f.get("/BaseFont"))
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert any("docgen-fangsong" in name for name in fonts), fonts
    assert not any("evil" in name for name in fonts), fonts


def test_fetcher_rules(secret, tmp_path: Path) -> None:
    from docgen.writers.pdf.fetcher import Fetcher, RefusedURL

    inside = tmp_path / "templates"
    inside.mkdir()
    (inside / "a.css").write_text("p {}", encoding="utf-8")
    (inside / "link.css").symlink_to(secret["secret.css"])
    f = Fetcher(folders=[inside], files=[secret["secret.png"]])
    assert f.fetch((inside / "a.css").as_uri()).read() == b"p {}"
    assert f.fetch(secret["secret.png"].as_uri()).read() == PNG_1PX  # an allowed single file (a seal)
    assert f.fetch("data:text/plain,abc").read() == b"abc"
    for url in (
        secret["secret.txt"].as_uri(),
        (inside / "link.css").as_uri(),
        (inside / ".." / "secret").as_uri(),
        f"{(inside / '..' / 'secret' / 'secret.txt').as_uri()}",
        "file:///etc/passwd",
        "file:///dev/zero",
        inside.as_uri(),
        "http://127.0.0.1:9/x",
        "https://example.invalid/x",
        "ftp://127.0.0.1/x",
        "file://otherhost/etc/passwd",
    ):
        with pytest.raises(RefusedURL):
            f.fetch(url)
    assert f.font_path(secret["secret.png"].as_uri()) is None  # an allowed image is not a font


@pytest.mark.slow
def test_submission_text_naming_urls_fetches_nothing(server, secret, require_tool, tmp_path: Path) -> None:
    from docgen.io.source import parse
    from docgen.registry import Options, render_source

    base, requests = server
    data = yaml.safe_load((DATA_DIR / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8"))
    bad = hostile(base, secret)
    project = data["retained"][0]["projects"][0]
    project["name"] = bad[:180]
    project["remarks"] = bad
    data["retained"][0]["work"] = f"</td></tr></table>{bad}"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    rendered = render_source(parse(text, "hostile.yaml"), Options(formats=("pdf",)))
    assert_clean(rendered.outputs["pdf"], requests, require_tool, tmp_path, own={"hostile.yaml"})


@pytest.mark.slow
def test_notice_text_naming_urls_fetches_nothing(server, secret, require_tool, tmp_path: Path) -> None:
    from docgen.registry import Options, render_file

    base, requests = server
    data = yaml.safe_load((DATA_DIR / "notices" / "2023-233.yaml").read_text(encoding="utf-8"))
    bad = hostile(base, secret)
    data["title"] = [f"关于征集</style>{bad}<style>", "项目需求的通知'); } p { background: url(" + base + "/t.png"]
    data["body"].insert(0, bad)
    path = tmp_path / "notice.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rendered = render_file(path, Options(formats=("pdf",)))
    assert_clean(rendered.outputs["pdf"], requests, require_tool, tmp_path, own={"notice.yaml"})
