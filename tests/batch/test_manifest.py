"""manifest.json: typed entries read and written in the file's one layout; old files load, odd ones are set aside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from docgen import __version__
from docgen.batch.manifest import (
    MANIFEST_NAME,
    ArchiveEntry,
    Manifest,
    Output,
    SummaryEntry,
    UnitEntry,
    describe,
    sha256_bytes,
    units_done,
)


def dumped(doc: dict[str, Any]) -> str:
    """The text docgen writes for DOC (what a manifest written by any earlier run looks like)."""
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def out_file(outdir: Path, name: str, data: bytes) -> dict[str, Any]:
    path = outdir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"path": name, "size": len(data), "sha256": sha256_bytes(data)}


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Any]:
    """A manifest in the layout the batch writes: an ok and an invalid unit, the summary, the archive."""
    yunfu = [out_file(tmp_path, f"yunfu.{ext}", f"yunfu {ext}".encode()) for ext in ("docx", "xlsx", "pdf")]
    return {
        "docgen_version": __version__,
        "templates_sha256": "t" * 64,
        "units": {
            "yunfu": {
                "source": "yunfu.yaml",
                "source_sha256": "s" * 64,
                "status": "ok",
                "build_key": "k" * 64,
                "warnings": 1,
                "unit": "云浮市市场监督管理局（知识产权局）",
                "totals": {"retained": "10.00", "all": "12.50"},
                "messages": ["yunfu.yaml: 第 3 行：警告"],
                "outputs": yunfu,
            },
            "broken": {
                "source": "broken.yaml",
                "source_sha256": "b" * 64,
                "status": "invalid",
                "build_key": "c" * 64,
                "warnings": 0,
                "unit": "",
                "totals": {},
                "messages": ["broken.yaml: 第 2 行 colour：不认识的字段"],
                "outputs": [],
            },
        },
        "summary": {
            "build_key": "m" * 64,
            "grand_total": "12.50",
            "units": 1,
            "outputs": [out_file(tmp_path, "汇总表.xlsx", b"summary"), out_file(tmp_path, ".archive/汇总表.pdf", b"p")],
        },
        "archive": {
            "build_key": "a" * 64,
            "outputs": [out_file(tmp_path, "归档卷.pdf", b"volume")],
            "parts": ["云浮市市场监督管理局（知识产权局） 2024年度知识产权项目需求征集表（填报材料）"],
        },
    }


def test_a_written_manifest_loads_typed_and_saves_byte_for_byte(tmp_path: Path, written: dict[str, Any]) -> None:
    (tmp_path / MANIFEST_NAME).write_text(dumped(written), encoding="utf-8")
    m = Manifest.load(tmp_path)
    assert m.warning == ""
    assert m.templates_sha256 == "t" * 64
    yunfu = m.units["yunfu"]
    assert isinstance(yunfu, UnitEntry) and yunfu.status == "ok" and yunfu.warnings == 1
    assert yunfu.totals == {"retained": "10.00", "all": "12.50"}
    assert yunfu.outputs[0] == Output("yunfu.docx", len(b"yunfu docx"), sha256_bytes(b"yunfu docx"))
    assert m.summary == SummaryEntry(
        "m" * 64,
        [Output(**o) for o in written["summary"]["outputs"]],
        "12.50",
        1,
    )
    assert isinstance(m.archive, ArchiveEntry) and m.archive.parts == written["archive"]["parts"]
    assert m.is_fresh("yunfu", "k" * 64, tmp_path)
    assert not m.is_fresh("yunfu", "x" * 64, tmp_path)  # another build key
    assert not m.is_fresh("broken", "c" * 64, tmp_path)  # did not build
    assert not m.is_fresh("absent", "k" * 64, tmp_path)
    before = (tmp_path / MANIFEST_NAME).read_bytes()
    m.save()
    assert (tmp_path / MANIFEST_NAME).read_bytes() == before


def test_a_new_manifest_has_the_keys_the_batch_always_wrote(tmp_path: Path) -> None:
    m = Manifest.load(tmp_path)
    assert (m.units, m.summary, m.archive, m.warning) == ({}, None, None, "")
    m.templates_sha256 = "t" * 64
    (tmp_path / "a.pdf").write_bytes(b"pdf")
    m.record("a", UnitEntry("a.yaml", "s", "ok", "k", outputs=describe(tmp_path, [tmp_path / "a.pdf"])))
    m.save()
    doc = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert doc == {
        "docgen_version": __version__,
        "templates_sha256": "t" * 64,
        "units": {
            "a": {
                "source": "a.yaml",
                "source_sha256": "s",
                "status": "ok",
                "build_key": "k",
                "warnings": 0,
                "unit": "",
                "totals": {},
                "messages": [],
                "outputs": [{"path": "a.pdf", "size": 3, "sha256": sha256_bytes(b"pdf")}],
            }
        },
    }  # no summary or archive key until they are built, as before
    assert Manifest.load(tmp_path).is_fresh("a", "k", tmp_path)


def test_an_entry_from_an_older_docgen_loads_and_is_rebuilt(tmp_path: Path, written: dict[str, Any]) -> None:
    old = {"units": {"yunfu": {"source": "yunfu.yaml", "outputs": written["units"]["yunfu"]["outputs"]}}}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(old), encoding="utf-8")
    m = Manifest.load(tmp_path)
    assert m.warning == ""
    assert m.units["yunfu"].source == "yunfu.yaml" and m.units["yunfu"].build_key == ""
    assert not m.is_fresh("yunfu", "k" * 64, tmp_path)


def test_changed_or_escaping_outputs_are_not_fresh(tmp_path: Path, written: dict[str, Any]) -> None:
    (tmp_path / MANIFEST_NAME).write_text(dumped(written), encoding="utf-8")
    (tmp_path / "yunfu.pdf").write_bytes(b"yunfu PDF")  # same size, other bytes
    assert not Manifest.load(tmp_path).is_fresh("yunfu", "k" * 64, tmp_path)
    inner = tmp_path / "out"
    inner.mkdir()
    (tmp_path / "x.pdf").write_bytes(b"x")
    escaping = dict(written["units"]["yunfu"], outputs=[{"path": "../x.pdf", "size": 1, "sha256": sha256_bytes(b"x")}])
    (inner / MANIFEST_NAME).write_text(dumped({"units": {"yunfu": escaping}}), encoding="utf-8")
    assert not Manifest.load(inner).is_fresh("yunfu", "k" * 64, inner)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("[]", "顶层应为对象"),
        ("{", "无法读取（JSONDecodeError）"),
        ('{"units": []}', "units 格式不对"),
        ('{"units": {"yunfu": 5}}', "units.yunfu 格式不对"),
        ('{"units": {"yunfu": {"outputs": 3}}}', "units.yunfu 格式不对"),
        ('{"units": {"yunfu": {"outputs": [{"path": "a"}]}}}', "units.yunfu 格式不对"),
        ('{"units": {"yunfu": {"totals": null}}}', "units.yunfu 格式不对"),
        ('{"units": {"yunfu": {"warnings": "many"}}}', "units.yunfu 格式不对"),
        ('{"summary": "x", "units": {}}', "summary 格式不对"),
        ('{"archive": [], "units": {}}', "archive 格式不对"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_set_aside_with_a_warning(tmp_path: Path, text: str, place: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(text, encoding="utf-8")
    m = Manifest.load(tmp_path)
    assert m.warning == f"{tmp_path / MANIFEST_NAME}: 清单 manifest.json 格式不对（{place}），已忽略并全部重新生成"
    assert (m.units, m.summary, m.archive) == ({}, None, None)


def test_units_leave_when_their_input_is_gone(tmp_path: Path, written: dict[str, Any]) -> None:
    (tmp_path / MANIFEST_NAME).write_text(dumped(written), encoding="utf-8")
    m = Manifest.load(tmp_path)
    assert list(m.ok_units()) == ["yunfu"]
    m.keep_units(["broken"])
    assert list(m.units) == ["broken"]


def test_progress_counts_the_units_a_batch_has_saved(tmp_path: Path, written: dict[str, Any]) -> None:
    assert units_done(tmp_path) == 0  # before the first save
    (tmp_path / MANIFEST_NAME).write_text("{", encoding="utf-8")
    assert units_done(tmp_path) == 0
    (tmp_path / MANIFEST_NAME).write_text(dumped(written), encoding="utf-8")
    assert units_done(tmp_path) == 2
