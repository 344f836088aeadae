"""Text widths estimated without a layout engine, in em (字) or terminal columns."""

from __future__ import annotations

import unicodedata


def is_wide(ch: str, ambiguous_wide: bool = False) -> bool:
    """Whether ``ch`` takes a full em (East Asian wide/full-width; ambiguous ones too if asked)."""
    return unicodedata.east_asian_width(ch) in ("WFA" if ambiguous_wide else "WF")


def char_em(ch: str, narrow: float = 0.5, ambiguous_wide: bool = False) -> float:
    """Width of one character in em: 1 for a wide one, ``narrow`` for the others (digits, Latin, ASCII)."""
    return 1 if is_wide(ch, ambiguous_wide) else narrow  # int 1: sums of wide text stay whole numbers


def text_width_zi(text: str) -> float:
    """Width of a text in 字 (em): full-width characters 1, others ½."""
    return sum(char_em(c) for c in text)


def display_columns(text: str) -> int:
    """Width in terminal columns: wide characters 2, the others 1."""
    return sum(2 if is_wide(c) else 1 for c in text)
