"""Draw an example round seal (red ring, star, agency name on an arc) as a transparent PNG.

Only for examples and tests (data/notices/seal-example.png): a real notice uses the agency's
scanned or electronic seal. ``python -m docgen.authoring.seal OUT.png 名称`` regenerates it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from docgen.standard import fonts
from docgen.standard import gbt9704 as L

SEAL_PX = 496
"""42 mm at 300 dpi."""


def draw_seal(path: Path, name: str, centre: str = "★", bottom: str = "") -> Path:
    from PIL import Image, ImageDraw, ImageFont

    size = SEAL_PX
    red = (*L.RED_RGB, 235)
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    ring = size * 0.035
    d.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=red, width=round(ring))
    face = fonts.resolve("songti")
    font_file = str(fonts.face_file(face))
    star = ImageFont.truetype(font_file, round(size * 0.30))
    d.text((size / 2, size / 2), centre, font=star, fill=red, anchor="mm")
    # the name along the upper arc, glyphs upright towards the centre
    text_font = ImageFont.truetype(font_file, round(size * 0.105))
    radius = size / 2 - ring - size * 0.085
    span = min(250.0, 22.0 * len(name))
    for i, ch in enumerate(name):
        angle = -90 - span / 2 + span * (i + 0.5) / len(name)
        rad = math.radians(angle)
        cx, cy = size / 2 + radius * math.cos(rad), size / 2 + radius * math.sin(rad)
        glyph = Image.new("RGBA", (round(size * 0.14), round(size * 0.14)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=text_font, fill=red, anchor="mm")
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC, expand=True)
        img.alpha_composite(glyph, (round(cx - glyph.width / 2), round(cy - glyph.height / 2)))
    if bottom:
        small = ImageFont.truetype(font_file, round(size * 0.07))
        d.text((size / 2, size * 0.74), bottom, font=small, fill=red, anchor="mm")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", optimize=True, dpi=(300, 300))
    return path


if __name__ == "__main__":
    draw_seal(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "示例市市场监督管理局")
