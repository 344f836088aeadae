"""The YAML 1.2 core reader: text stays text, numbers stay exact, nesting is bounded before PyYAML scans it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docgen.io import limits
from docgen.io.yaml_reader import LongNumber, ReadError, SourceDecimal, SourceInt, _flow_too_deep, compose


def test_core_schema_values() -> None:
    data, lines, problems = compose(
        "a: 075526543210\nb: 10:30\nc: on\nd: 2023-05-26\ne: 60.50\nf: true\ng: ~\nh: 0x1F\ni: .inf\n"
    )
    assert not problems
    assert isinstance(data["a"], SourceInt) and data["a"] == 75526543210 and data["a"].source == "075526543210"
    assert data["b"] == "10:30" and data["c"] == "on" and data["d"] == "2023-05-26"
    assert isinstance(data["e"], SourceDecimal) and data["e"] == Decimal("60.50") and data["e"].source == "60.50"
    assert data["f"] is True and data["g"] is None and data["h"] == 31 and data["h"].source == "0x1F"
    assert data["i"] == Decimal("Infinity")
    assert lines[("e",)] == 5


def test_numbers_keep_their_type_through_pickling() -> None:
    import pickle

    data, _, _ = compose("a: 020\nb: 1.50\n")
    back = pickle.loads(pickle.dumps(data))
    assert back["a"].source == "020" and back["b"].source == "1.50" and back["b"] == Decimal("1.5")


def test_too_many_digits_is_a_problem_not_a_crash() -> None:
    data, _, problems = compose("n: 1" + "0" * 5000 + "\n")
    assert isinstance(data["n"], LongNumber)
    (problem,) = problems
    assert problem.code == "number-too-long" and problem.path == ("n",) and "5,001" in problem.message


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: " + "[" * (limits.MAX_DEPTH + 1) + "]" * (limits.MAX_DEPTH + 1), 1),
        ("a: 1\nb:\n  " + "{x: " * 40 + "1" + "}" * 40, 3),
    ],
)
def test_deep_flow_nesting_is_refused_before_scanning(text: str, line: int) -> None:
    assert _flow_too_deep(text) == line
    with pytest.raises(ReadError) as caught:
        compose(text)
    assert caught.value.line == line and "嵌套层数过深" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * (limits.MAX_DEPTH - 1) + "]" * (limits.MAX_DEPTH - 1),  # the top mapping is one level
        'a: "' + "[" * 50 + '"',
        "a: '" + "{" * 50 + "'",
        "b: x" + "[" * 50,
        "# " + "[" * 50,
        "c: 第[" + "[" * 50 + "]项",
    ],
    ids=["at-the-limit", "double-quoted", "single-quoted", "plain-text", "comment", "plain-cjk"],
)
def test_brackets_that_are_text_are_not_nesting(text: str) -> None:
    assert _flow_too_deep(text) is None
    compose(text)  # reads without a nesting error
