"""docgen uses WeasyPrint and pypdf through their public APIs only (issue 9): walks every module's AST.

Fails on: an import from weasyprint.layout / weasyprint.formatting_structure; an import of a
WeasyPrint or pypdf module or name starting with "_"; any attribute ``x._name`` (not dunder) on
anything but ``self`` / ``cls``, and ``getattr(x, "_name")`` / ``setattr`` with such a literal,
in every module that may hold a WeasyPrint or pypdf object (a private name cannot hide behind
a variable). Only the OOXML layer, which works on python-docx/lxml/openpyxl objects and never
imports WeasyPrint or pypdf, is exempt from the attribute rule (python-docx exposes its XML as
``._element``; that is a different dependency's business).
"""

from __future__ import annotations

import ast
from pathlib import Path

import docgen

PACKAGE = Path(docgen.__file__).resolve().parent
THIRD_PARTY = ("weasyprint", "pypdf")
OOXML = ("docx", "docxtpl", "lxml", "openpyxl")
PUBLIC = {"os._exit"}
"""Standard-library names that start with "_" and are public (documented)."""
FORBIDDEN_MODULES = ("weasyprint.layout", "weasyprint.formatting_structure")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def violations(source: str, file: str) -> list[str]:
    """Every use of a private or forbidden WeasyPrint/pypdf name in one module's source."""
    out = []
    tree = ast.parse(source, file)
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }
    attributes = bool(imported & set(THIRD_PARTY)) or not imported & set(OOXML)
    for node in ast.walk(tree):
        where = f"{file}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            names: list[str] = []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and attributes:
            owner = node.value
            named = isinstance(owner, ast.Name)
            if not (named and (owner.id in ("self", "cls") or f"{owner.id}.{node.attr}" in PUBLIC)):
                out.append(f"{where}: private attribute .{node.attr}")
            continue
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and attributes
        ):
            out.append(f"{where}: {node.func.id}(…, {node.args[1].value!r})")
            continue
        else:
            continue
        for module in modules:
            if module.split(".")[0] not in THIRD_PARTY:
                continue
            if any(module == m or module.startswith(m + ".") for m in FORBIDDEN_MODULES):
                out.append(f"{where}: import from {module}")
            if any(_private(part) for part in module.split(".")):
                out.append(f"{where}: private module {module}")
            out += [f"{where}: private name {module}.{name}" for name in names if _private(name)]
            out += [
                f"{where}: import from {module}.{name}" for name in names if f"{module}.{name}" in FORBIDDEN_MODULES
            ]
    return out


def test_docgen_uses_only_public_weasyprint_and_pypdf_names() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert not found, "private or internal WeasyPrint/pypdf use:\n" + "\n".join(found)


def test_the_check_catches_what_the_old_engine_did() -> None:
    """The walker itself: each way docgen once reached into WeasyPrint 70 and pypdf is caught."""
    old = """
from weasyprint.layout import layout_document
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint import layout
from pypdf._writer import PdfWriter
from weasyprint.document import Document
context = Document._build_layout_context(html, fc, cs, cp, options)
folder = getattr(config, "_folder", None)
writer._ID = ids
root = writer._root_object
"""
    found = violations(old, "old.py")
    assert len(found) == 8, found
    assert violations("import weasyprint\nself._cache = 1\nx.__class__\n", "ok.py") == []
