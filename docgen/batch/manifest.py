"""The build manifest: what was built from what, so a rerun rebuilds only what changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen import __version__
from docgen.io.atomic import write_text

MANIFEST_NAME = "manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_hash(*roots: Path) -> str:
    """One hash over every file below the roots (names and contents): templates, form data."""
    h = hashlib.sha256()
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            if "__pycache__" in p.parts:
                continue
            h.update(str(p.relative_to(root.parent if root.is_file() else root)).encode())
            h.update(b"\0")
            h.update(sha256_file(p).encode())
    return h.hexdigest()


@dataclass
class Manifest:
    """manifest.json: docgen version, templates hash, and per unit its source hash and outputs."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    warning: str = ""  # why an existing manifest was set aside (everything is rebuilt)

    @classmethod
    def load(cls, outdir: Path) -> Manifest:
        path = outdir / MANIFEST_NAME
        if not path.exists():
            return cls(path, {"units": {}})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            problem = _shape_problem(data)
        except (OSError, ValueError) as exc:
            problem = f"无法读取（{type(exc).__name__}）"
        if problem:
            return cls(path, {"units": {}}, f"{path}: 清单 manifest.json 格式不对（{problem}），已忽略并全部重新生成")
        data.setdefault("units", {})
        return cls(path, data)

    def save(self) -> None:
        self.data["docgen_version"] = __version__
        write_text(self.path, json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")

    def entry(self, key: str) -> dict[str, Any] | None:
        return self.data["units"].get(key)

    def is_fresh(self, key: str, build_key: str, outdir: Path) -> bool:
        """True when the unit was built from the same inputs and its outputs are intact."""
        entry = self.entry(key)
        if not entry or entry.get("build_key") != build_key or entry.get("status") != "ok":
            return False
        return outputs_intact(entry.get("outputs", []), outdir)

    def record(self, key: str, entry: dict[str, Any]) -> None:
        self.data["units"][key] = entry


def _outputs_ok(outputs: Any) -> bool:
    return isinstance(outputs, list) and all(
        isinstance(o, dict)
        and isinstance(o.get("path"), str)
        and isinstance(o.get("size"), int)
        and isinstance(o.get("sha256"), str)
        for o in outputs
    )


def _shape_problem(data: Any) -> str:
    """What is wrong with a manifest's shape ("" when it is one docgen wrote)."""
    if not isinstance(data, dict):
        return "顶层应为对象"
    units = data.get("units", {})
    if not isinstance(units, dict):
        return "units 应为对象"
    for stem, entry in units.items():
        if not isinstance(entry, dict) or not _outputs_ok(entry.get("outputs", [])):
            return f"units.{stem} 格式不对"
    for key in ("summary", "archive"):
        entry = data.get(key)
        if entry is not None and (not isinstance(entry, dict) or not _outputs_ok(entry.get("outputs", []))):
            return f"{key} 格式不对"
    return ""


def outputs_intact(outputs: list[dict[str, Any]], outdir: Path) -> bool:
    """Every recorded output is on disk inside OUTDIR with its recorded size and SHA-256 (a same-size
    edit is caught, not only a truncation)."""
    root = outdir.resolve()
    for out in outputs:
        p = (outdir / out["path"]).resolve()
        if not p.is_relative_to(root) or not p.is_file() or p.stat().st_size != out["size"]:
            return False
        if sha256_file(p) != out["sha256"]:
            return False
    return bool(outputs)


def describe(outdir: Path, written: list[Path]) -> list[dict[str, Any]]:
    return [
        {"path": p.relative_to(outdir).as_posix(), "size": p.stat().st_size, "sha256": sha256_file(p)} for p in written
    ]
