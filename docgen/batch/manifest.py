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

    @classmethod
    def load(cls, outdir: Path) -> Manifest:
        path = outdir / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
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


def outputs_intact(outputs: list[dict[str, Any]], outdir: Path) -> bool:
    for out in outputs:
        p = outdir / out["path"]
        if not p.is_file() or p.stat().st_size != out["size"]:
            return False
    return bool(outputs)


def describe(outdir: Path, written: list[Path]) -> list[dict[str, Any]]:
    return [
        {"path": p.relative_to(outdir).as_posix(), "size": p.stat().st_size, "sha256": sha256_file(p)} for p in written
    ]
