"""WeasyPrint's font configuration with docgen's @font-face files registered by path, never copied.

WeasyPrint's own ``FontConfiguration.add_font_face`` writes every @font-face file it loads into
a fresh ``weasyprint-*`` folder under the temporary directory (≈125 MB of CJK faces per
process) and removes it only when the object is collected: a killed or terminated worker
leaves the copies behind (issue 14). ``PathFontConfiguration`` registers the installed file
itself with fontconfig instead, through a symbolic link named after the @font-face rule (so
that, exactly as with WeasyPrint's copies, each rule's family and weight apply to its own file
name only, and the PDFs are byte for byte the same). The links live in one shared folder
(``fonts.cache_dir() / "faces"``: a few dozen bytes each, one per rule, created atomically and
reused by every process); nothing is written to the temporary directory.

Only file:// sources that the document's fetcher allows (``docgen.writers.pdf.fetcher.Fetcher``: docgen's
own font files) are registered; any other @font-face (``local()``, http(s), files elsewhere) is
refused with a warning, so a font rule smuggled into a document reads nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import logging
import os
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

from weasyprint.text.constants import FONTCONFIG_STRETCH, FONTCONFIG_STYLE, FONTCONFIG_WEIGHT
from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration, font_features

from docgen.standard import fonts

log = logging.getLogger(__name__)
_XML_HEADER = (b'<?xml version="1.0"?>', b'<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">')


@lru_cache(maxsize=1)
def _get_config():
    """Pango's ``pango_fc_font_map_get_config`` (public C API; WeasyPrint's bindings lack it)."""
    lib = ctypes.CDLL(ctypes.util.find_library("pangoft2-1.0") or "libpangoft2-1.0.so.0")
    lib.pango_fc_font_map_get_config.restype = ctypes.c_void_p
    lib.pango_fc_font_map_get_config.argtypes = [ctypes.c_void_p]
    return lib.pango_fc_font_map_get_config


def links_dir() -> Path:
    """The shared folder of per-rule links to installed font files."""
    return fonts.cache_dir() / "faces"


def _link(name: str, target: Path) -> Path:
    """``links_dir()/name`` → target, created or corrected atomically (parallel processes)."""
    link = links_dir() / name
    try:
        if os.readlink(link) == str(target):
            return link
    except OSError:
        pass
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    tmp.replace(link)
    return link


def _rules_xml(path: Path, descriptors: dict) -> bytes:
    """The fontconfig rules WeasyPrint writes for an @font-face (family, style, weight, stretch,
    features, unicode-range), for the file ``path``."""
    mode = "assign_replace"
    root = Element("fontconfig")
    match = SubElement(root, "match", target="scan")
    SubElement(SubElement(match, "test", name="file", compare="eq"), "string").text = path.as_posix()
    # prepend, as WeasyPrint does (replacing the family breaks Pango)
    SubElement(SubElement(match, "edit", name="family", mode="prepend"), "string").text = descriptors["font_family"]
    for key, name, table in (("font_style", "slant", FONTCONFIG_STYLE), ("font_stretch", "width", FONTCONFIG_STRETCH)):
        if key in descriptors:
            SubElement(SubElement(match, "edit", name=name, mode=mode), "const").text = table[descriptors[key]]
    if "font_weight" in descriptors:
        edit = SubElement(match, "edit", name="weight", mode=mode)
        SubElement(edit, "int").text = str(FONTCONFIG_WEIGHT[descriptors["font_weight"]])
    match = SubElement(root, "match", target="font")
    SubElement(SubElement(match, "test", name="file", compare="eq"), "string").text = path.as_posix()
    variants = {rules[0][0].replace("-", "_"): rules[0][1] for rules in descriptors.get("font_variant", [])}
    features = font_features(font_feature_settings=descriptors.get("font_feature_settings", "normal"), **variants)
    if features:
        edit = SubElement(match, "edit", name="fontfeatures", mode=mode)
        for key, value in features.items():
            SubElement(edit, "string").text = f"{key} {value}"
    if ranges := descriptors.get("unicode_range"):
        plus = SubElement(SubElement(match, "edit", name="charset", mode=mode), "plus")
        for item in ranges:
            range_ = SubElement(SubElement(plus, "charset"), "range")
            for value in (item.start, item.end):
                SubElement(range_, "int").text = f"0x{value:x}"
    return b"\n".join((*_XML_HEADER, tostring(root, encoding="utf-8")))


class PathFontConfiguration(FontConfiguration):
    """A FontConfiguration whose @font-face files are registered where they are installed."""

    def __init__(self) -> None:
        super().__init__()
        address = int(ffi.cast("uintptr_t", self.font_map))
        self.fc_config = ffi.cast("FcConfig *", _get_config()(address))
        self.registered: set[str] = set()

    def add_font_face(self, rule_descriptors, url_fetcher) -> None:
        """Register the first allowed file:// source of an @font-face rule (docstring above)."""
        key = str(rule_descriptors)
        if key in self.registered:
            return
        allowed = getattr(url_fetcher, "font_path", None)
        for font_type, url in rule_descriptors.get("src", ()):
            path = allowed(url) if (allowed and font_type == "external" and url) else None
            if path is None:
                continue
            link = _link(hashlib.md5(key.encode(), usedforsecurity=False).hexdigest(), path)
            fontconfig.FcConfigParseAndLoadFromMemory(self.fc_config, _rules_xml(link, rule_descriptors), True)
            if fontconfig.FcConfigAppFontAddFile(self.fc_config, os.fsencode(link.as_posix())):
                self.registered.add(key)
                pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))
                return
        log.warning(
            "font face %r not loaded: docgen registers only its own font files (%s)",
            rule_descriptors.get("font_family"),
            [u for _, u in rule_descriptors.get("src", ())],
        )
