"""Escaping of user text for the one context Jinja's HTML autoescape does not cover: CSS strings.

``css_string("附件1 x'y")`` → ``"附件1 x\\000027y"``: a complete, double-quoted CSS string in which
every character outside a safe set (ASCII letters, digits, space, and printable non-ASCII text such
as CJK) is a six-digit backslash-hex escape (CSS Syntax 3, §4.3.7: six digits need no terminating
space). No quote, backslash, ``<``, ``&``, ``(``, ``)`` or ``;`` survives, so the result cannot end
the string, the declaration, a ``style`` attribute or a ``<style>`` element, and cannot name a
``url()``. Inside an HTML attribute the surrounding quotes are then HTML-escaped by autoescape
(``&#34;``), which the HTML parser turns back into ``"`` before CSS sees the value.

Characters a CSS string cannot carry at all (NUL, other C0/C1 controls, lone surrogates, line
and paragraph separators) are dropped: docgen's validation refuses them earlier, this is the
last guard.
"""

from __future__ import annotations

import unicodedata

from docgen.writers.pdf.runs import text_runs

_DROP_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _safe(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch == " "
    return unicodedata.category(ch) not in _DROP_CATEGORIES and unicodedata.category(ch) != "Cf"


def css_string(value: object) -> str:
    """``value`` as a double-quoted CSS string literal with every unsafe character hex-escaped."""
    out = ['"']
    for ch in str(value):
        if _safe(ch):
            out.append(ch)
        elif unicodedata.category(ch) in _DROP_CATEGORIES:
            continue
        else:
            out.append(f"\\{ord(ch):06x}")
    out.append('"')
    return "".join(out)


FILTERS = {"css_string": css_string, "text_runs": text_runs}
"""Jinja filters every docgen HTML template may use (registered by docgen.writers.pdf.engine.jinja_env)."""
