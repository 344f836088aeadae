"""The seal image of a notice, read and checked once at validation (never discovered at render).

A seal is only a regular file inside the notice's own folder (no absolute path, no ``..``, no link
leading out, no device, FIFO or folder), a real PNG or JPEG (magic bytes, then decoded in full by
Pillow: SVG, text and truncated files are refused), at most SEAL_MAX_BYTES and SEAL_MAX_PIXELS
on a side. ``read_seal`` returns its bytes; the writers embed exactly those bytes.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from pathlib import Path, PurePosixPath, PureWindowsPath

from docgen.models.notice import SealImage

SEAL_MAX_BYTES = 2 * 1024 * 1024
"""2 MB: a 42 mm seal at 600 dpi as PNG is well under 1 MB."""
SEAL_MAX_PIXELS = 4000
"""Largest side in pixels (42 mm at 2400 dpi): more is no seal but a decompression bomb."""
_MAGIC = {b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"), b"\xff\xd8\xff": ("JPEG", "image/jpeg")}


class SealError(ValueError):
    """A seal that cannot be used; the message is Chinese and names the path."""


def _refuse(name: str, why: str) -> SealError:
    return SealError(f"印章图片（seal）“{name}”不可用：{why}")


def read_seal(folder: Path, name: str) -> SealImage:
    """The seal ``name`` relative to ``folder`` (the notice's folder), checked; SealError if unusable."""
    if not name or not name.strip():
        raise _refuse(name, "路径为空。")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise _refuse(name, "须写成通知所在文件夹内的相对路径，例如 seal.png，不能是绝对路径。")
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        raise _refuse(name, "不能用“..”指向通知所在文件夹之外。")
    base = Path(folder).resolve()
    path = (base / name).resolve()
    if path != base and base not in path.parents:
        raise _refuse(name, "指向通知所在文件夹之外（符号链接）。")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse(name, f"找不到该文件（在 {base} 中）。") from None
    except OSError as exc:
        raise _refuse(name, f"无法读取（{exc.strerror}）。") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(name, "这是一个文件夹，应为 PNG 或 JPEG 图片文件。")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(name, "不是普通文件（设备、管道等），应为 PNG 或 JPEG 图片文件。")
    if info.st_size > SEAL_MAX_BYTES:
        raise _refuse(name, f"文件过大（{info.st_size} 字节），上限 {SEAL_MAX_BYTES // (1024 * 1024)} MB。")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _refuse(name, f"无法读取（{exc.strerror}）。") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced between stat and open
            raise _refuse(name, "不是普通文件。")
        data = fh.read(SEAL_MAX_BYTES + 1)
    if len(data) > SEAL_MAX_BYTES:
        raise _refuse(name, f"文件过大，上限 {SEAL_MAX_BYTES // (1024 * 1024)} MB。")
    kind = next((v for k, v in _MAGIC.items() if data.startswith(k)), None)
    if kind is None:
        raise _refuse(name, "不是 PNG 或 JPEG 图片（SVG、文本等格式不接受）。")
    _decode(name, data, kind[0])
    return SealImage(name, data, kind[1])


def _decode(name: str, data: bytes, expected: str) -> None:
    """Decode the whole image with Pillow: the format must match the magic bytes, the size be sane."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != expected:
                    raise _refuse(name, f"文件内容不是有效的 {expected} 图片。")
                width, height = img.size
                if not (0 < width <= SEAL_MAX_PIXELS and 0 < height <= SEAL_MAX_PIXELS):
                    raise _refuse(name, f"图片尺寸 {width}×{height} 像素不合理，每边最多 {SEAL_MAX_PIXELS} 像素。")
                img.load()  # decode everything: a truncated or corrupt file fails here
    except SealError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(name, f"图片已损坏或无法解码（{type(exc).__name__}）。") from None
