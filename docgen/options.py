"""How the writers render, apart from what and where: one frozen value callers pass down to every writer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderOptions:
    """What a writer may do on this machine; frozen and hashable, so writers cache on it."""

    # refuse substitute fonts (fonts.OfficialFontMissing naming every missing role) instead of
    # printing with the free ones (`docgen render --require-official-fonts`)
    require_official_fonts: bool = False


DEFAULT = RenderOptions()

__all__ = ["DEFAULT", "RenderOptions"]
