"""Font roles of GB/T 9704 and the files that really draw them, honest about substitutions.

The standard names typefaces (仿宋_GB2312, 方正小标宋简体 …) that are proprietary and absent on
most Linux machines (spec: Fonts). DOCX files name the official faces (``docx_names``); PDFs embed
the best face actually installed: the official one, else a free substitute in the spec's order
(``resolve``). Faces are chosen by FILE from ``fc-list`` (family + style name), never by asking
fontconfig for family + weight: FandolSong-Bold.otf declares a regular weight (pitfalls.md), so a
weight-based match would pick FandolSong-Regular or synthesise bold.

``css_font_faces()`` gives @font-face rules ("docgen-<role>" and "docgen-fallback"); use
``css_font_stack(role)`` as the font-family so a character missing from the role's face (〇,
𠀀 U+20000 …) falls back to a face that has it instead of printing tofu.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from docgen.standard.metrics import display_columns

ROLES = ("fangsong", "kaiti", "heiti", "xiaobiaosong", "songti")
"""The five typefaces the standard names."""


@dataclass(frozen=True)
class Role:
    """One typeface of the standard: what DOCX names, and what a PDF may embed."""

    name: str
    label: str
    """Chinese name of the typeface (仿宋 …)."""
    docx_name: str
    """The name written into DOCX (w:ascii/w:hAnsi/w:eastAsia)."""
    official: tuple[str, ...]
    """Family names of the official face, any style but italic, best first."""
    substitutes: tuple[tuple[str, str], ...]
    """Free substitutes as (family, style name), in the spec's order."""


ROLE_TABLE: dict[str, Role] = {
    r.name: r
    for r in (
        Role(
            "fangsong",
            "仿宋",
            "仿宋_GB2312",
            ("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312"),
            (("FandolFang", "Regular"),),
        ),
        Role(
            "kaiti",
            "楷体",
            "楷体_GB2312",
            ("楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312"),
            (("FandolKai", "Regular"), ("AR PL UKai CN", "Book"), ("LXGW WenKai", "Regular")),
        ),
        Role("heiti", "黑体", "黑体", ("黑体", "SimHei"), (("FandolHei", "Regular"), ("Noto Sans CJK SC", "Regular"))),
        Role(
            "xiaobiaosong",
            "小标宋",
            "方正小标宋简体",
            ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
            (("FandolSong", "Bold"), ("Noto Serif CJK SC", "Bold"), ("Noto Serif CJK SC", "Black")),
        ),
        Role(
            "songti", "宋体", "宋体", ("宋体", "SimSun"), (("Noto Serif CJK SC", "Regular"), ("FandolSong", "Regular"))
        ),
    )
}

FALLBACK_BROAD = (("Noto Serif CJK SC", "Regular"), ("Noto Sans CJK SC", "Regular"), ("FandolSong", "Regular"))
"""One broad CJK face (URO, Ext-A, symbols, Latin): the first of these that is installed."""
FALLBACK_EXT_B = (("HanaMinB", "Regular"), ("BabelStone Han", "Regular"))
"""Faces for CJK Ext-B and beyond (𠀀 U+20000): the first installed (setup.sh installs HanaMinB)."""


@dataclass(frozen=True)
class ResolvedFont:
    """The face that will really draw a role (or a fallback) on this machine."""

    role: str
    file: Path
    family: str
    official: bool
    substitute_for: str
    """The official face this one stands in for ("" when it is the official face)."""
    style: str = "Regular"
    index: int = 0
    """Face index inside a .ttc collection."""

    @property
    def css_weight(self) -> int:
        """700 for a Bold/Black face (by its style name, not its declared weight), else 400."""
        return 700 if any(w in self.style.lower() for w in ("bold", "black", "heavy")) else 400


class FontError(LookupError):
    """No usable face for a role."""


class OfficialFontMissing(FontError):
    """The official face of a role is absent and the caller refused substitutes."""

    def __init__(self, missing: list[tuple[Role, ResolvedFont | None]]):
        self.roles = [role.name for role, _ in missing]
        lines = []
        for role, used in missing:
            instead = f"{used.family} {used.style} ({used.file})" if used else "nothing"
            lines.append(
                f"缺少正式字体：{role.label}（{role.name}）需要「{role.docx_name}」，"
                f"本机只能用替代字体「{instead}」。"
                f" / Official font missing for role {role.name!r}: wanted {role.docx_name} "
                f"(any of {', '.join(role.official)}); the substitute would be {instead}."
            )
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class _Face:
    file: Path
    index: int
    families: tuple[str, ...]
    styles: tuple[str, ...]


@lru_cache(maxsize=1)
def _installed() -> tuple[_Face, ...]:
    """Every face fontconfig knows, from one ``fc-list`` call (no alias substitution)."""
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{index}\t%{family}\t%{style}\n"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FontError(f"fc-list failed ({exc}); run scripts/setup.sh (fontconfig)") from exc
    faces, seen = [], set()
    for line in sorted(out.splitlines()):
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        file = Path(parts[0])
        key = (file.resolve(), parts[1])
        if key in seen:  # symlinked duplicates (fonts-japanese-mincho.ttf → HanaMinA.ttf)
            continue
        seen.add(key)
        faces.append(_Face(file, int(parts[1] or 0), tuple(parts[2].split(",")), tuple(parts[3].split(","))))
    return tuple(faces)


def clear_cache() -> None:
    """Forget cached font lookups (after installing fonts)."""
    _installed.cache_clear()
    _cmap.cache_clear()


def _find(family: str, style: str | None) -> _Face | None:
    """The face with this family name and style name (any upright style when style is None)."""
    fam = family.casefold()
    hits = [f for f in _installed() if fam in (x.casefold() for x in f.families)]
    if style is not None:
        hits = [f for f in hits if style.casefold() in (s.casefold() for s in f.styles)]
    else:
        hits = [f for f in hits if not any("italic" in s.lower() or "oblique" in s.lower() for s in f.styles)]
        # prefer a regular face
        hits.sort(key=lambda f: not any(s.lower() in ("regular", "book", "normal", "medium") for s in f.styles))
    return hits[0] if hits else None


def _resolved(role: str, face: _Face, family: str, official: bool, wanted: str) -> ResolvedFont:
    return ResolvedFont(role, face.file, family, official, "" if official else wanted, face.styles[0], face.index)


def resolve(role: str, require_official: bool = False) -> ResolvedFont:
    """The face that draws ``role`` here; OfficialFontMissing if required and absent."""
    r = ROLE_TABLE[role]
    for fam in r.official:
        face = _find(fam, None)
        if face:
            return _resolved(role, face, fam, True, r.docx_name)
    used = None
    for fam, style in r.substitutes:
        face = _find(fam, style)
        if face:
            used = _resolved(role, face, fam, False, r.docx_name)
            break
    if require_official:
        raise OfficialFontMissing([(r, used)])
    if used is None:
        raise FontError(
            f"没有可用字体：{r.label}（{role}）/ no font for role {role!r}: none of "
            f"{', '.join(r.official)} or {r.substitutes}; run scripts/setup.sh"
        )
    return used


def resolve_all(require_official: bool = False) -> dict[str, ResolvedFont]:
    """resolve() for every role; with require_official, one error naming every missing role."""
    found = {role: resolve(role) for role in ROLES}
    missing: list[tuple[Role, ResolvedFont | None]] = [(ROLE_TABLE[k], v) for k, v in found.items() if not v.official]
    if require_official and missing:
        raise OfficialFontMissing(missing)
    return found


@cache
def _cmap(file: Path, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(file, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap() or ())


def has_glyph(font: ResolvedFont, char: str) -> bool:
    """Whether ``font`` maps ``char`` (one code point) to a glyph."""
    return ord(char) in _cmap(font.file, font.index)


def fallback_faces() -> list[tuple[str, ResolvedFont]]:
    """Ordered fallback faces with their CSS family: one broad CJK face, then one for CJK Ext-B… (if installed).

    Each has a family of its own: two @font-face rules of one family and style are one face to the
    CSS engine (the later wins), which drew 𠀀 with the broad face's .notdef instead of HanaMinB's glyph.
    """
    out = []
    for css, group in zip(CSS_FALLBACK_FAMILIES, (FALLBACK_BROAD, FALLBACK_EXT_B), strict=True):
        for fam, style in group:
            face = _find(fam, style)
            if face:
                out.append((css, _resolved("fallback", face, fam, False, "")))
                break
    return out


def fallbacks() -> list[ResolvedFont]:
    """Ordered fallback faces: one broad CJK face, then one covering CJK Ext-B (if installed)."""
    return [font for _, font in fallback_faces()]


def covering_font(char: str, role: str | None = None) -> ResolvedFont | None:
    """The first face that has ``char``: the role's face, then the fallbacks (None = tofu)."""
    chain = ([resolve(role)] if role else []) + fallbacks()
    return next((f for f in chain if has_glyph(f, char)), None)


def docx_names(role: str) -> dict[str, str]:
    """Font names for a DOCX run/style (w:rFonts): eastAsia too, or Chinese text ignores it."""
    name = ROLE_TABLE[role].docx_name
    return {"ascii": name, "hAnsi": name, "eastAsia": name}


def css_family(role: str) -> str:
    """The CSS family name css_font_faces() gives a role ("docgen-fangsong")."""
    return f"docgen-{role}"


CSS_FALLBACK_FAMILY = "docgen-fallback"
"""The CSS family name of the broad fallback face."""
CSS_FALLBACK_FAMILIES = (CSS_FALLBACK_FAMILY, "docgen-fallback-extb")
"""The CSS family of each fallback group (broad CJK, then CJK Ext-B…F), in the order they are tried."""


def css_font_stack(role: str) -> str:
    """A CSS font-family value for a role: its face, then the fallbacks."""
    return ", ".join(f'"{family}"' for family in (css_family(role), *CSS_FALLBACK_FAMILIES))


def cache_dir() -> Path:
    """docgen's font cache folder: $DOCGEN_FONT_CACHE, else $XDG_CACHE_HOME (~/.cache)/docgen/fonts."""
    base = (
        os.environ.get("DOCGEN_FONT_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docgen" / "fonts"
    )
    return Path(base)


def face_file(font: ResolvedFont) -> Path:
    """A file holding exactly this face: the font file, or the face extracted from a .ttc.

    A CSS url() cannot pick a face inside a collection (WeasyPrint would use face 0, e.g.
    Noto Serif CJK JP instead of SC), so such faces are saved once into a cache folder
    ($DOCGEN_FONT_CACHE, else ~/.cache/docgen/fonts).
    """
    if font.file.suffix.lower() not in (".ttc", ".otc"):
        return font.file
    st = font.file.stat()
    # "v2": files saved before recalcTimestamp=False carry their machine's save time; never reuse them
    key = f"v2|{font.file.resolve()}|{font.index}|{st.st_size}|{st.st_mtime_ns}"
    tag = hashlib.sha1(key.encode()).hexdigest()[:12]
    out = cache_dir() / f"{font.file.stem}-{font.index}-{tag}.otf"
    if not out.exists():
        from fontTools.ttLib import TTFont

        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
        # recalcTimestamp=False: fontTools would stamp head.modified with the time of this save, and the
        # PDF's embedded subset keeps the head table, so every machine's PDFs differed by when its cache
        # was filled (same machine, same bytes; another machine, other bytes)
        TTFont(font.file, fontNumber=font.index, lazy=True, recalcTimestamp=False).save(tmp, reorderTables=False)
        tmp.replace(out)  # atomic: parallel renderers never see half a file
    return out


def _font_face(family: str, font: ResolvedFont) -> str:
    return (
        f'@font-face {{ font-family: "{family}"; src: url("{face_file(font).as_uri()}"); '
        f"font-weight: {font.css_weight}; }}  /* {font.family} {font.style}, {_kind(font)} */"
    )


def _kind(font: ResolvedFont) -> str:
    return "fallback" if font.role == "fallback" else "official" if font.official else "substitute"


def css_font_faces(require_official: bool = False) -> str:
    """@font-face rules: "docgen-<role>" for every role plus one per fallback face.

    The weight descriptor is the face's real weight by style name, so ``font-weight: bold`` on
    a bold face (FandolSong Bold as 小标宋) draws that file without synthetic emboldening, and
    ``font-weight: normal`` draws it too (it is the only face of its family).
    """
    rules = [_font_face(css_family(role), font) for role, font in resolve_all(require_official).items()]
    rules += [_font_face(family, font) for family, font in fallback_faces()]
    return "\n".join(rules) + "\n"


def report(require_official: bool = False) -> str:
    """A table of role → face and file used, official or substitute (Chinese headings)."""
    rows = [("角色 role", "标准字体 wanted", "实际使用 used", "类别 kind", "文件 file")]
    for role in ROLES:
        r = ROLE_TABLE[role]
        try:
            f = resolve(role)
        except FontError:
            rows.append((f"{r.label} {role}", r.docx_name, "—", "缺失 MISSING", "—"))
            continue
        kind = (
            "正式 official"
            if f.official
            else "替代（拒绝）REFUSED substitute"
            if require_official
            else "替代 substitute"
        )
        file = f"{f.file}" + (f" #{f.index}" if f.index else "")
        rows.append((f"{r.label} {role}", r.docx_name, f"{f.family} {f.style}", kind, file))
    for f in fallbacks():
        file = f"{f.file}" + (f" #{f.index}" if f.index else "")
        rows.append(("后备 fallback", "—", f"{f.family} {f.style}", "后备 fallback", file))
    ext_b = any(0x20000 in _cmap(f.file, f.index) for f in fallbacks())
    widths = [max(display_columns(row[i]) for row in rows) for i in range(len(rows[0]))]
    text = "\n".join(
        "  ".join(c + " " * (w - display_columns(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )
    note = (
        "扩展B区（𠀀 U+20000）：已覆盖 / CJK Ext-B covered"
        if ext_b
        else "扩展B区（𠀀 U+20000）：未覆盖，运行 scripts/setup.sh / CJK Ext-B NOT covered"
    )
    return text + "\n" + note + "\n"


@lru_cache(maxsize=16)
def em_box(role: str, require_official: bool = False) -> tuple[float, float]:
    """(em-box top above the baseline, baseline below the line-box top at line-height 1), in em.

    The em box is the ideographic one (OS/2 typo ascender); WeasyPrint/Pango place the baseline
    from the hhea ascent/descent, half the leading above and half below.
    """
    from fontTools.ttLib import TTFont

    face = resolve(role, require_official)
    font = TTFont(face_file(face), lazy=True)
    upem = font["head"].unitsPerEm
    hhea, os2 = font["hhea"], font["OS/2"]
    ascent, descent = hhea.ascent / upem, -hhea.descent / upem
    em_top = os2.sTypoAscender / upem if os2.sTypoAscender > 0 else ascent
    half_leading = (1 - (ascent + descent)) / 2
    return em_top, half_leading + ascent


if __name__ == "__main__":  # python -m docgen.standard.fonts
    print(report())
