"""The output store: one render per (source, name, templates, version, format), atomic files, counters."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from docgen.service.store import OutputStore

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_request_is_served_from_the_store_without_rendering(tmp_path):
    store = OutputStore(tmp_path)
    renders = []

    async def render():
        renders.append(1)
        await asyncio.sleep(0.05)
        return b"%PDF-1.7 rendered"

    async def main():
        first = await store.get_or_render(b"unit: x\n", "a.yaml", "pdf", render)
        second = await store.get_or_render(b"unit: x\n", "a.yaml", "pdf", render)
        # concurrent requests for one key share one render
        both = await asyncio.gather(*(store.get_or_render(b"unit: y\n", "a.yaml", "pdf", render) for _ in range(5)))
        return first, second, both

    first, second, both = asyncio.run(main())
    assert first == second == b"%PDF-1.7 rendered" and set(both) == {first}
    assert len(renders) == 2
    assert store.counts == {"hit": 5, "miss": 2}
    path = store.lookup(b"unit: x\n", "a.yaml", "pdf")
    assert path is not None and path.read_bytes() == first and path.parent.parent == tmp_path / "store"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_the_key_changes_with_source_name_format_templates_and_version(tmp_path, monkeypatch):
    store = OutputStore(tmp_path)
    base = store.key(b"a", "x.yaml", "pdf")
    assert (
        len(
            {
                base,
                store.key(b"b", "x.yaml", "pdf"),
                store.key(b"a", "y.yaml", "pdf"),
                store.key(b"a", "x.yaml", "docx"),
            }
        )
        == 4
    )
    templates = tmp_path / "templates"
    (templates / "html").mkdir(parents=True)
    (templates / "html" / "a.css").write_text("p {}")
    other = OutputStore(tmp_path, templates=templates)
    assert other.key(b"a", "x.yaml", "pdf") != base
    (templates / "html" / "a.css").write_text("p { color: red }")
    assert OutputStore(tmp_path, templates=templates).key(b"a", "x.yaml", "pdf") != other.key(b"a", "x.yaml", "pdf")
    import docgen.service.store as module

    monkeypatch.setattr(module, "__version__", "99.0")
    assert store.key(b"a", "x.yaml", "pdf") != base


def test_a_failed_render_stores_nothing_and_is_retried(tmp_path):
    store = OutputStore(tmp_path)
    calls = []

    async def failing():
        calls.append(1)
        raise RuntimeError("boom")

    async def ok():
        calls.append(1)
        return b"done"

    async def main():
        with pytest.raises(RuntimeError):
            await store.get_or_render(b"s", "a.yaml", "xlsx", failing)
        return await store.get_or_render(b"s", "a.yaml", "xlsx", ok)

    assert asyncio.run(main()) == b"done" and len(calls) == 2
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == b"done" and oct(os.stat(files[0]).st_mode)[-3:] == "644"
    assert store.size() == (1, 4)
