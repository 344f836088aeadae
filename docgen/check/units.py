"""Which published unit a submission names: the one comparison validate, the service and the batch share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

from docgen.check.aliases import tree_for
from docgen.form import aliases as words


class Unit(Protocol):
    """A listed unit, as naming needs it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def city(self) -> str | None: ...


class Form(Protocol):
    """What naming a unit needs of a form: its list of units."""

    @property
    def units(self) -> Sequence[Unit]: ...


# Characters that print as nothing (zero-width spaces and joiners, bidi marks, soft hyphen, variation
# selectors, BOM, fillers) and white space: a name that differs from the list only by these is that name.
_INVISIBLE = re.compile(
    "[\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202f"
    "\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\x00-\x1f\x7f-\x9f]+"
)


def unit_key(name: str) -> str:
    """A unit's name as compared: NFKC (full-width brackets and letters are the half-width ones), nothing invisible."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", _INVISIBLE.sub("", name)))


def unit_named(form: Form, name: str) -> Unit | None:
    """The published unit this name means, after normalisation; None when it names none of the form's units."""
    return _by_key(form.units).get(unit_key(name))


_INDEXES: dict[int, tuple[Sequence[Unit], dict[str, Unit]]] = {}  # id of a form's units → (them, their index)


def _by_key(units: Sequence[Unit]) -> dict[str, Unit]:
    """A form's units by their compared name (the first listed of any two that compare equal). A built form's
    units are a tuple that never changes, indexed once (each entry keeps its tuple, so the id stays its own)."""
    found = _INDEXES.get(id(units))
    if found is not None and found[0] is units:
        return found[1]
    index: dict[str, Unit] = {}
    for unit in units:
        index.setdefault(unit_key(unit.name), unit)
    if isinstance(units, tuple):
        if len(_INDEXES) >= 64:
            _INDEXES.clear()
        _INDEXES[id(units)] = (units, index)
    return index


def named_units(data: Any) -> list[Any]:
    """Every value a submission gives its unit under (`unit`, `单位`, `填报单位` …), in the order written."""
    if not isinstance(data, dict):
        return []
    tree = tree_for(data)
    table = words.envelope(tree) if tree is not None else dict(words.ENVELOPE_WORDS)
    return [value for key, value in data.items() if isinstance(key, str) and table.get(key, key) == "unit"]


def closest_unit(form: Form, name: str) -> str:
    """The published name nearest to a name that is none of them (for the message)."""
    import difflib

    by_key = {unit_key(u.name): u.name for u in form.units}
    match = difflib.get_close_matches(unit_key(name), list(by_key), n=1, cutoff=0.0)
    return by_key[match[0]] if match else form.units[0].name
