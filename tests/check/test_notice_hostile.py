"""Hostile notices (issue 10): text that tries to break out of HTML/CSS, fetch URLs or attach files,
seal paths that point elsewhere, and fields render cannot use — through the CLI, as a user runs it.

Every value must print literally; nothing is fetched (a loopback HTTP server counts requests), no
file but the notice's own YAML is attached (pdfdetach -list and pypdf), no secret appears anywhere.
"""

from __future__ import annotations

import http.server
import io
import re
import shutil
import subprocess
import sys
import threading
import typing
from pathlib import Path

import pytest
import yaml

from docgen.io.paths import DATA_DIR

SIGNED = DATA_DIR / "notices" / "example-2024-signed.yaml"
SEED = DATA_DIR / "notices" / "2023-233.yaml"
SECRET = "DOCGEN-SECRET-7f3a91"


def docgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "docgen", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: typing.ClassVar[list[str]] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def server():
    _Counter.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], _Counter.hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def hostile_texts(port: int, secret_file: Path) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}"
    return {
        "title": f"关于</style><a rel=attachment href=file://{secret_file}>附</a>的通知",
        "title2": f"'\\\"); bookmark-label: url({url}/title) <img src={url}/img.png>",
        "heading": f"一、标题'}}\\' </h2><style>*{{background:url({url}/bg)}}</style>",
        "lead": f"（一）<img src={url}/lead.png>",
        "text": f"正文<a rel=attachment href=file://{secret_file}>秘</a>与 url({url}/css) 原样",
        "attachment": f"附件'\\<a rel=attachment href=file://{secret_file}>x</a>url({url}/att)",
        "note": f"联系人：陈兵</p><link rel=stylesheet href={url}/note.css>",
    }


def _hostile_notice(tmp_path: Path, port: int) -> tuple[Path, dict[str, str]]:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    t = hostile_texts(port, secret_file)
    data = _data(SIGNED)
    data["title"] = [t["title"], t["title2"]]
    data["body"] = [{"heading": t["heading"]}, {"lead": t["lead"], "text": t["text"]}, t["text"]]
    data["attachments"] = [{"name": t["attachment"], "body": [t["text"]]}]
    data["note"] = t["note"]
    data["seal"] = None
    data.pop("seal")
    return _write(tmp_path, data), t


def test_hostile_notice_text_prints_literally_fetches_nothing_attaches_nothing(tmp_path, server, require_tool):
    import pdfplumber
    import pypdf
    from docx import Document

    port, hits = server
    path, t = _hostile_notice(tmp_path, port)
    r = docgen("validate", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path / "out"
    r = docgen("render", str(path), "-o", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    pdf_bytes = (out / "hostile.pdf").read_bytes()
    assert hits == [], f"WeasyPrint fetched {hits}"
    assert SECRET.encode() not in pdf_bytes

    # the text prints as written (white space aside), in PDF and DOCX
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        text = "".join((p.extract_text() or "") for p in pdf.pages)
    flat = re.sub(r"—\d+—", "", "".join(text.split()))  # page numbers out of the running text
    for key in ("title", "title2", "heading", "lead", "attachment", "note"):
        assert "".join(t[key].split()) in flat, (key, t[key])
    assert flat.count("".join(t["text"].split())) >= 3
    doc = Document(str(out / "hostile.docx"))
    docx_text = "".join(p.text for p in doc.paragraphs).replace("\u2060", "")  # word joiners keep names whole
    for key in ("title", "heading", "text", "note"):
        assert t[key] in docx_text.replace("\n", ""), key

    # bookmarks carry the literal text; only the notice's own YAML is attached
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)

    walk(reader.outline)
    marks = ["".join(b.split()) for b in titles]  # WeasyPrint collapses white space in bookmarks
    for key in ("title", "heading", "attachment"):
        assert any("".join(t[key].split()) in b for b in marks), (key, titles)
    assert list(reader.attachments) == ["hostile.yaml"]
    listing = subprocess.run(
        [require_tool("pdfdetach"), "-list", str(out / "hostile.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "1 embedded files" in listing and "hostile.yaml" in listing and "secret" not in listing
    for data in reader.attachments.values():
        assert all(SECRET.encode() not in d for d in data)


# --------------------------------------------------------------------------- seals
def _png(size: int = 64) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (size, size), (200, 0, 0, 200)).save(buf, format="PNG")
    return buf.getvalue()


def _seal_case(tmp_path: Path, kind: str) -> str:
    folder = tmp_path
    if kind == "absolute":
        shutil.copy(DATA_DIR / "notices" / "seal-example.png", tmp_path.parent / "abs-seal.png")
        return str(tmp_path.parent / "abs-seal.png")
    if kind == "dotdot":
        (tmp_path.parent / "up-seal.png").write_bytes(_png())
        return "../up-seal.png"
    if kind == "device":
        return "/dev/zero"
    if kind == "directory":
        (folder / "seals").mkdir()
        return "seals"
    if kind == "svg":
        (folder / "seal.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', encoding="utf-8"
        )
        return "seal.svg"
    if kind == "svg-named-png":
        (folder / "seal.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>', encoding="utf-8")
        return "seal.png"
    if kind == "text":
        (folder / "seal.png").write_text("not an image", encoding="utf-8")
        return "seal.png"
    if kind == "truncated":
        (folder / "seal.png").write_bytes(_png()[:40])
        return "seal.png"
    if kind == "huge":
        (folder / "seal.png").write_bytes(_png() + b"\0" * (6 * 1024 * 1024))
        return "seal.png"
    if kind == "missing":
        return "nowhere.png"
    if kind == "symlink-out":
        (tmp_path.parent / "outside.png").write_bytes(_png())
        (folder / "link.png").symlink_to(tmp_path.parent / "outside.png")
        return "link.png"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "absolute",
        "dotdot",
        "device",
        "directory",
        "svg",
        "svg-named-png",
        "text",
        "truncated",
        "huge",
        "missing",
        "symlink-out",
    ],
)
def test_bad_seals_are_refused_by_validate_and_render(tmp_path, kind):
    work = tmp_path / "notice"
    work.mkdir()
    data = _data(SIGNED)
    data["seal"] = _seal_case(work, kind)
    path = _write(work, data)
    seal_line = next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith("seal:")
    )
    for cmd in (["validate", str(path)], ["render", str(path), "-o", str(tmp_path / "out")]):
        r = docgen(*cmd)
        assert r.returncode == 1, (cmd, r.stdout, r.stderr)
        out = r.stdout + r.stderr
        assert "Traceback" not in out and "内部错误" not in out
        assert f"hostile.yaml:{seal_line}:" in out and "seal" in out and "印章" in out, out
    assert not (tmp_path / "out" / "hostile.pdf").exists()


def test_good_seal_in_the_notice_folder_is_accepted(tmp_path):
    data = _data(SIGNED)
    (tmp_path / "seals").mkdir()
    shutil.copy(DATA_DIR / "notices" / "seal-example.png", tmp_path / "seals" / "mine.png")
    data["seal"] = "seals/mine.png"
    path = _write(tmp_path, data)
    r = docgen("validate", str(path))
    assert r.returncode == 0, r.stdout + r.stderr


def test_seal_read_at_validation_not_at_render(tmp_path):
    """The seal bytes render uses are the ones validate checked: replacing the file by a link to a
    secret between the two does not leak it (render validates again, from the same bytes)."""
    from docgen.check.notice import load_notice

    data = _data(SIGNED)
    shutil.copy(DATA_DIR / "notices" / "seal-example.png", tmp_path / "seal.png")
    data["seal"] = "seal.png"
    path = _write(tmp_path, data)
    notice = load_notice(path)
    assert notice.seal_image is not None and notice.seal_image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert notice.seal_image.mime == "image/png"


# --------------------------------------------------------------------------- fields render needs
@pytest.mark.parametrize(
    "change, words",
    [
        ({"logo_size_pt": float("nan")}, ["logo_size_pt", "标志"]),
        ({"logo_size_pt": float("inf")}, ["logo_size_pt", "标志"]),
        ({"logo_size_pt": 0}, ["logo_size_pt", "标志"]),
        ({"logo_size_pt": -12}, ["logo_size_pt", "标志"]),
        ({"logo_size_pt": 80}, ["logo_size_pt", "版心"]),
        ({"logo_size_pt": "大"}, ["logo_size_pt"]),
        ({"attachments": [{"name": "表", "form_tables": 1999}]}, ["attachments[0].form_tables", "1999"]),
        ({"attachments": [{"name": "说明", "form_instructions": 1999}]}, ["attachments[0].form_instructions", "1999"]),
        ({"body": [{"heading": "没有序数的标题"}]}, ["body[0]", "层次序数"]),
        ({"body": [{"lead": "", "text": ""}]}, ["body[0]", "段落"]),
        ({"body": [{"heading": 5}]}, ["body[0].heading"]),
        ({"body": [{"colour": "red"}]}, ["body[0]", "colour"]),
        ({"title": []}, ["title", "标题"]),
        ({"date": "2023-02-30"}, ["date"]),
        ({"attachments": [{"name": "表", "body": ["x"], "form_tables": 2024}]}, ["attachments[0]", "之一"]),
    ],
)
def test_notice_fields_checked_in_chinese_with_yaml_paths(tmp_path, change, words):
    data = _data(SEED)
    data.update(change)
    path = _write(tmp_path, data)
    for cmd in (["validate", str(path)], ["render", str(path), "-o", str(tmp_path / "out")]):
        r = docgen(*cmd)
        out = r.stdout + r.stderr
        assert r.returncode == 1, (cmd, out)
        assert "Traceback" not in out and "内部错误" not in out
        for word in words:
            assert word in out, (word, out)
        for internal in ("function-after", "Value error", "Input should", "Heading", "Paragraph", "body.0"):
            assert internal not in out, (internal, out)


def test_notice_validation_json_keeps_the_machine_path(tmp_path):
    import json

    data = _data(SEED)
    data["body"] = [{"heading": "没有序数的标题"}]
    r = docgen("validate", "--json", str(_write(tmp_path, data)))
    assert r.returncode == 1
    result = json.loads(r.stdout)
    diags = result[0]["diagnostics"] if isinstance(result, list) else result["diagnostics"]
    assert any(d["path"] == "body[0]" and d["line"] > 1 for d in diags), diags
