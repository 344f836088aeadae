"""Golden outputs: any drift (a dependency moved, a template or layout changed) shows here, naming the file.

Covered: Guangzhou's DOCX, XLSX and PDF packet, the blank 2024 form (DOCX, XLSX, PDF) and the
notice 2023-233 (DOCX, PDF). ``tests/golden/sha256.json`` holds every output's SHA-256 and what
they were made with; ``tests/golden/pdf/*.txt`` holds what a reader sees in each PDF (tests/pdfsnapshot.py).

- DOCX and XLSX are made by pure Python at pinned versions (constraints.txt): their bytes must match
  on any machine.
- A PDF's bytes also depend on Debian's Pango, HarfBuzz (it subsets the embedded fonts), FreeType and
  fontconfig, and on the font files. Its bytes must match wherever those are the recorded ones;
  elsewhere the test says what moved, and the PDF must still look the same to a reader: the same
  pages, words at the same places in the same faces, the same rules and images, the same metadata.
  (Until 2026-12 each machine's PDFs differed: the 宋体 face taken out of Noto's .ttc was saved with
  the time the font cache was filled, and the PDF embeds it. See ``fonts.face_file``.)
- Same machine, same bytes: a second render in a new process with an empty font cache gives the same PDF.

After an INTENDED change of output (a layout fix, a new WeasyPrint), refresh both files and say why
in the commit message:

    DOCGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n0 tests/test_golden.py

(the test then rewrites tests/golden/ and passes; review ``git diff tests/golden``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import warnings
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from pdfsnapshot import differences, snapshot

from docgen.io.paths import DATA_DIR

GOLDEN = Path(__file__).parent / "golden" / "sha256.json"
GOLDEN_PDF = Path(__file__).parent / "golden" / "pdf"
UPDATE = "DOCGEN_UPDATE_GOLDEN"
INPUTS = {
    "guangzhou": DATA_DIR / "submissions" / "2024" / "guangzhou.yaml",
    "form-2024": DATA_DIR / "forms" / "2024.yaml",
    "notice-2023-233": DATA_DIR / "notices" / "2023-233.yaml",
}
PACKAGES = ("weasyprint", "pydyf", "pypdf", "python-docx", "docxtpl", "openpyxl", "fonttools", "Jinja2")
DEBIAN_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libharfbuzz-subset0",
    "libfreetype6",
    "libfontconfig1",
    "zlib1g",
)
"""The C libraries WeasyPrint lays out, shapes, subsets and compresses with: a PDF's bytes depend on them."""


def _debian_versions() -> dict[str, str]:
    if not shutil.which("dpkg-query"):
        return {}
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${Version}\\n", *DEBIAN_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@cache
def environment() -> dict[str, dict[str, str]]:
    """What the bytes depend on besides docgen: library versions, C libraries and the font files used."""
    from docgen.standard import fonts

    used = {
        role: f"{f.family} {f.style} ({f.file.name} sha256:{_file_digest(f.file)})"
        for role, f in fonts.resolve_all().items()
    }
    used["fallbacks"] = ", ".join(
        f"{f.family} ({f.file.name} sha256:{_file_digest(f.file)})" for f in fonts.fallbacks()
    )
    return {
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "debian": _debian_versions(),
        "fonts": used,
        "machine": {"python": platform.python_version(), "arch": platform.machine()},
    }


def _moved(then: dict, now: dict) -> list[str]:
    return [
        f"  {kind} {key}: {then.get(kind, {}).get(key)} → {now.get(kind, {}).get(key)}"
        for kind in sorted(now.keys() | then.keys())
        for key in sorted(now.get(kind, {}).keys() | then.get(kind, {}).keys())
        if then.get(kind, {}).get(key) != now.get(kind, {}).get(key)
    ]


@cache
def rendered() -> dict[str, bytes]:
    """name.ext → the bytes of every covered output, rendered now."""
    from notice_helpers import rendered as notice

    from docgen.registry import render_file

    out = {}
    for name, path in INPUTS.items():
        # the notice as its own tests have it, rendered once in this run (notice_helpers)
        outputs = notice("2023-233") if name == "notice-2023-233" else render_file(path).outputs
        for fmt, data in sorted(outputs.items()):
            out[f"{name}.{fmt}"] = data
    return out


@cache
def golden() -> dict:
    if os.environ.get(UPDATE):
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in rendered().items()}
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(
            json.dumps({"sha256": hashes, "made_with": environment()}, ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        GOLDEN_PDF.mkdir(parents=True, exist_ok=True)
        for name, data in rendered().items():
            if name.endswith(".pdf"):
                (GOLDEN_PDF / f"{name[:-4]}.txt").write_text("\n".join(snapshot(data)) + "\n", encoding="utf-8")
    if not GOLDEN.exists():
        pytest.fail(f"{GOLDEN} is missing: create it with {UPDATE}=1 .venv/bin/python -m pytest -n0 {__file__}")
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _changed_bytes(names: list[str]) -> list[str]:
    expected: dict[str, str] = golden()["sha256"]
    now = {name: hashlib.sha256(rendered()[name]).hexdigest() for name in names}
    return [
        f"  {name}: expected {expected.get(name, '(none)')[:16]}…, got {now[name][:16]}…"
        for name in names
        if expected.get(name) != now[name]
    ]


REFRESH = f"\nIf the change is intended, refresh: {UPDATE}=1 .venv/bin/python -m pytest -n0 tests/test_golden.py (and say why in the commit)."


def test_docx_and_xlsx_bytes_match_golden() -> None:
    """Pure Python at pinned versions: the same bytes on every machine."""
    names = [n for n in rendered() if not n.endswith(".pdf")]
    assert {n.rsplit(".", 1)[1] for n in names} == {"docx", "xlsx"}
    changed = _changed_bytes(names)
    if changed:
        moved = [m for m in _moved(golden().get("made_with", {}), environment()) if m.startswith("  packages")]
        pytest.fail(
            "output bytes changed:\n"
            + "\n".join(changed)
            + (
                "\nPython packages differ from the golden file's:\n" + "\n".join(moved)
                if moved
                else "\n(same Python packages: docgen's output changed)"
            )
            + REFRESH,
            pytrace=False,
        )


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_pdf_looks_as_golden(name: str) -> None:
    """What a reader sees (pages, words and places, faces, rules, images, metadata) matches, on any machine."""
    golden()  # refreshes the snapshots too under DOCGEN_UPDATE_GOLDEN
    path = GOLDEN_PDF / f"{name}.txt"
    assert path.exists(), f"{path} is missing: create it with {UPDATE}=1"
    expected = path.read_text(encoding="utf-8").splitlines()
    now = snapshot(rendered()[f"{name}.pdf"])
    assert len(now) > 50 and any(line.startswith("w ") for line in now), "the snapshot saw no words"
    diff = differences(expected, now)
    if diff:
        pytest.fail(f"{name}.pdf looks different to a reader:\n" + "\n".join(diff) + REFRESH, pytrace=False)


def test_pdf_bytes_match_golden_where_made_alike() -> None:
    """Where the C libraries, fonts and packages are the golden file's, the PDFs' bytes are too."""
    names = [n for n in rendered() if n.endswith(".pdf")]
    assert len(names) == len(INPUTS)
    moved = _moved(golden().get("made_with", {}), environment())
    changed = _changed_bytes(names)
    if changed and not moved:
        pytest.fail(
            "PDF bytes changed though everything they depend on is as recorded (docgen's output changed):\n"
            + "\n".join(changed)
            + REFRESH,
            pytrace=False,
        )
    if changed:
        # not a skip: test_pdf_looks_as_golden still holds these PDFs to what a reader sees
        warnings.warn(
            "PDF bytes differ from the golden file's, which were made with other libraries or fonts "
            "(what a reader sees is compared by test_pdf_looks_as_golden):\n" + "\n".join(changed + moved),
            stacklevel=1,
        )


def test_same_machine_same_pdf_bytes_with_a_fresh_font_cache(tmp_path: Path) -> None:
    """A new process, with its font cache filled anew, renders Guangzhou's PDF to the very same bytes."""
    env = {**os.environ, "DOCGEN_FONT_CACHE": str(tmp_path / "font-cache"), "PYTHONHASHSEED": "12345"}
    env.pop("COV_CORE_SOURCE", None)  # no coverage tracing in the child: only its output matters here
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "render", str(INPUTS["guangzhou"]), "-o", str(tmp_path), "-f", "pdf"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert any((tmp_path / "font-cache").rglob("*.otf")), "the child used no face saved from a collection"
    assert (tmp_path / "guangzhou.pdf").read_bytes() == rendered()["guangzhou.pdf"]
