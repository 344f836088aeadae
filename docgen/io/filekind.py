"""What kind of file a path names, asked before an input is opened."""

from __future__ import annotations

import stat
from pathlib import Path


def special_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file ("文件夹", "管道", "套接字", "设备"), else None.

    Checked before any input is opened: opening a named pipe waits for a writer that may never come,
    and a device such as /dev/tty or /dev/zero never ends."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # the open that follows names what is wrong
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "管道"
    return "套接字" if stat.S_ISSOCK(mode) else "设备"
