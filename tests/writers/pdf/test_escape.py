"""css_string: user text as a CSS string that cannot end the string, the rule or the <style>."""

from __future__ import annotations

import random

import tinycss2

from docgen.writers.pdf.escape import css_string


def _parsed(value: str) -> str:
    """The string token tinycss2 reads back from ``bookmark-label: <css_string(value)>``."""
    tokens = [t for t in tinycss2.parse_component_value_list(css_string(value)) if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string", tokens
    return tokens[0].value


def test_hostile_values_round_trip_as_one_string():
    for value in (
        "</style><a rel=attachment href=file:///etc/passwd>",
        "'",
        '"',
        "\\",
        "url(http://127.0.0.1:1/x)",
        "<img src=x>",
        "a;b}c{d",
        "附件1 2024年度知识产权项目需求征集表（一）",
        'a\\"b',
    ):
        assert _parsed(value) == value
        inner = css_string(value)[1:-1]
        assert not set(inner) & set("\"'<>&();{}\n")


def test_safe_text_stays_readable():
    assert css_string("附件1 表") == '"附件1 表"'
    assert css_string("a'b") == '"a\\000027b"'


def test_controls_are_dropped():
    assert _parsed("a\x00b\nc\u2028d") == "abcd"


def _dropped(ch: str) -> bool:
    return ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029" or 0xD800 <= ord(ch) < 0xE000


def test_any_text_is_one_string_token():
    rng = random.Random(9704)  # bounded and reproducible
    alphabet = [chr(c) for c in range(0, 0x250)] + list("附件（）〔〕“”‘’；：\u200b\ufeff𠀀")
    for _ in range(500):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _parsed(value) == "".join(ch for ch in value if not _dropped(ch))
