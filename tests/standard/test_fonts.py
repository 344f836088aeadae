"""docgen.standard.fonts: every role resolves on a set-up machine, substitutions are honest, no tofu."""

from __future__ import annotations

import os

import pytest

from docgen.standard import fonts

EXT_B = "\U00020000"  # 𠀀, absent from most fonts
LING = "\u3007"  # 〇
SAMPLE = "〇𠀀一、（一）1.（1）〔2023〕233号：；“”《》，。——ABCabc0123%"


@pytest.fixture
def fc_list(require_tool):
    require_tool("fc-list")
    fonts.clear_cache()
    yield
    fonts.clear_cache()


def resolve_or_require(role, require):
    try:
        return fonts.resolve(role)
    except fonts.FontError as exc:
        require(False, f"a font for role {role} ({exc})")


def cmap(font):
    from fontTools.ttLib import TTFont

    return TTFont(font.file, fontNumber=font.index, lazy=True).getBestCmap()


@pytest.mark.parametrize("role", fonts.ROLES)
def test_every_role_resolves_to_a_file(role, fc_list, require):
    font = resolve_or_require(role, require)
    assert font.file.is_file(), font
    assert font.role == role
    if not font.official:
        # setup.sh installs the first substitute of every role (Fandol, Noto Serif CJK SC)
        first = fonts.ROLE_TABLE[role].substitutes[0]
        require((font.family, font.style) == first, f"{first[0]} {first[1]} for {role}")
        assert font.substitute_for == fonts.ROLE_TABLE[role].docx_name
    else:
        assert font.substitute_for == ""


def test_xiaobiaosong_substitute_is_the_bold_file(fc_list, require):
    font = resolve_or_require("xiaobiaosong", require)
    if font.official:
        pytest.skip("official 小标宋 installed")
    from fontTools.ttLib import TTFont

    assert font.style == "Bold" and font.css_weight == 700
    names = TTFont(font.file, fontNumber=font.index, lazy=True)["name"]
    assert names.getDebugName(2) == "Bold"  # subfamily of the FILE, whatever weight it declares
    assert "Regular" not in font.file.name


def without_official_faces(monkeypatch):
    official = {n.casefold() for r in fonts.ROLE_TABLE.values() for n in r.official}
    faces = tuple(f for f in fonts._installed() if not official & {x.casefold() for x in f.families})
    monkeypatch.setattr(fonts, "_installed", lambda: faces)


def test_require_official_refuses_substitutes(fc_list, monkeypatch, require):
    without_official_faces(monkeypatch)
    resolve_or_require("fangsong", require)
    with pytest.raises(fonts.OfficialFontMissing) as info:
        fonts.resolve("fangsong", require_official=True)
    message = str(info.value)
    assert "fangsong" in message and "仿宋" in message and "仿宋_GB2312" in message
    assert info.value.roles == ["fangsong"]
    assert "FandolFang" in message  # names what would have been used instead

    with pytest.raises(fonts.OfficialFontMissing) as info:
        fonts.resolve_all(require_official=True)
    assert info.value.roles == list(fonts.ROLES)
    for role in fonts.ROLES:
        assert role in str(info.value)
    with pytest.raises(fonts.OfficialFontMissing):
        fonts.css_font_faces(require_official=True)
    # without the demand, the substitutes are used and reported
    assert all(not f.official for f in fonts.resolve_all().values())
    assert "替代" in fonts.report() and "REFUSED" in fonts.report(require_official=True)


def test_fallback_chain_covers_ext_b_and_ling(fc_list, require):
    chain = fonts.fallbacks()
    assert all(f.file.is_file() for f in chain)
    maps = [cmap(f) for f in chain]
    require(any(ord(EXT_B) in m for m in maps), "a font covering CJK Ext-B (fonts-hanazono)")
    assert any(ord(LING) in m for m in maps)
    # the chain covers the whole of Ext-B (U+20000–U+2A6D6, Unicode 10), not just one character
    covered = set().union(*maps)
    assert all(cp in covered for cp in range(0x20000, 0x2A6D7))


@pytest.mark.parametrize("role", fonts.ROLES)
def test_no_tofu_for_any_role(role, fc_list, require):
    resolve_or_require(role, require)
    missing = [c for c in SAMPLE if fonts.covering_font(c, role) is None]
    require(not missing, f"glyphs for {missing!r}")
    assert fonts.covering_font(EXT_B, role).role == "fallback"


def test_docx_names():
    assert fonts.docx_names("fangsong") == {"ascii": "仿宋_GB2312", "hAnsi": "仿宋_GB2312", "eastAsia": "仿宋_GB2312"}
    assert fonts.docx_names("xiaobiaosong")["eastAsia"] == "方正小标宋简体"
    assert fonts.docx_names("kaiti")["eastAsia"] == "楷体_GB2312"
    assert {fonts.docx_names(r)["eastAsia"] for r in ("heiti", "songti")} == {"黑体", "宋体"}


def test_css_font_faces(fc_list, require):
    for role in fonts.ROLES:
        resolve_or_require(role, require)
    css = fonts.css_font_faces()
    for role in fonts.ROLES:
        assert f'font-family: "docgen-{role}"' in css
    assert 'font-family: "docgen-fallback"' in css
    assert fonts.css_font_stack("heiti") == '"docgen-heiti", "docgen-fallback", "docgen-fallback-extb"'
    for font in [*fonts.resolve_all().values(), *fonts.fallbacks()]:
        path = fonts.face_file(font)
        assert path.is_file() and path.as_uri() in css
        if font.index:  # a face of a .ttc is given as a file holding only that face
            from fontTools.ttLib import TTFont

            one = TTFont(path, lazy=True)["name"]
            whole = TTFont(font.file, fontNumber=font.index, lazy=True)["name"]
            assert one.getDebugName(6) == whole.getDebugName(6)


def test_weasyprint_embeds_the_resolved_faces(fc_list, require, tmp_path):
    """A real PDF: 𠀀 drawn by the fallback, the title by the BOLD 小标宋 substitute."""
    for role in fonts.ROLES:
        resolve_or_require(role, require)
    require(fonts.covering_font(EXT_B) is not None, "a font covering CJK Ext-B")
    import pdfplumber
    from weasyprint import HTML

    html = f"""<html lang="zh-CN"><head><style>{fonts.css_font_faces()}
      h1 {{ font-family: {fonts.css_font_stack("xiaobiaosong")}; font-weight: normal; }}
      p {{ font-family: {fonts.css_font_stack("fangsong")}; }}
    </style></head><body><h1>标题</h1><p>正文{LING}{EXT_B}</p></body></html>"""
    out = tmp_path / "f.pdf"
    HTML(string=html).write_pdf(out)
    with pdfplumber.open(out) as pdf:
        drawn = {c["text"]: c["fontname"] for c in pdf.pages[0].chars}
    assert "docgen-xiaobiaosong" in drawn["标"]
    if fonts.resolve("xiaobiaosong").style == "Bold":
        assert drawn["标"].endswith("-Bold")
    assert "docgen-fangsong" in drawn["正"] and "docgen-fangsong" in drawn[LING]
    # drawn by the face that has it (HanaMinB), not by the broad fallback's .notdef
    ext_b_family = next(css for css, font in fonts.fallback_faces() if fonts.has_glyph(font, EXT_B))
    assert drawn[EXT_B].split("+")[-1] == ext_b_family, (drawn[EXT_B], ext_b_family)


def test_official_face_wins_when_installed(monkeypatch, tmp_path):
    fake = fonts._Face(tmp_path / "simfang.ttf", 0, ("仿宋", "FangSong"), ("Regular", "常规"))
    other = fonts._Face(tmp_path / "FandolFang-Regular.otf", 0, ("FandolFang",), ("Regular",))
    monkeypatch.setattr(fonts, "_installed", lambda: (other, fake))
    font = fonts.resolve("fangsong", require_official=True)
    assert font.official and font.family == "仿宋" and font.file.name == "simfang.ttf"
    assert font.substitute_for == ""
    with pytest.raises(fonts.OfficialFontMissing, match="kaiti"):
        fonts.resolve("kaiti", require_official=True)


def test_a_face_taken_from_a_collection_keeps_the_collections_bytes(fc_list, require, tmp_path, monkeypatch):
    """The face saved from a .ttc carries the collection's own head.modified, never the time of the save.

    The PDF embeds a subset of it with its head table, so a save-time stamp made every machine's PDFs
    differ by when its font cache was filled (the golden hashes failed on each fresh machine).
    """
    from fontTools.ttLib import TTFont

    from_collection = [f for f in (*fonts.resolve_all().values(), *fonts.fallbacks()) if f.file.suffix == ".ttc"]
    require(bool(from_collection), "a role or fallback served by a font collection (.ttc)")
    font = from_collection[0]
    monkeypatch.setenv("DOCGEN_FONT_CACHE", str(tmp_path / "one"))
    first = fonts.face_file(font)
    saved, source = TTFont(first)["head"], TTFont(font.file, fontNumber=font.index)["head"]
    assert (saved.modified, saved.created) == (source.modified, source.created)
    # a cache filled at another time, in another folder, holds the very same bytes
    monkeypatch.setenv("DOCGEN_FONT_CACHE", str(tmp_path / "two"))
    os.utime(first, (0, 0))  # the copy's own mtime plays no part either
    assert fonts.face_file(font).read_bytes() == first.read_bytes()
