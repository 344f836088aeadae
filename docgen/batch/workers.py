"""Process pools whose workers never outlive the process that started them.

A batch's workers are forked from the batch process. When that process is killed (SIGKILL by an
operator or the OOM killer, SIGTERM by a service replacing a timed-out render), the kernel does
not end its children: before this module, two workers of 250 MB each stayed alive forever
(issues 10 and 14). ``pool()`` gives every worker ``die_with_parent`` as initializer:
PR_SET_PDEATHSIG (Linux) has the kernel send SIGKILL to the worker when its parent dies, and a
daemon thread that checks the parent once a second is the fallback where prctl is missing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
"""prctl option (linux/prctl.h): signal sent to this process when its parent dies."""
POLL_SECONDS = 1.0


def pool(max_workers: int) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor whose workers exit when this process dies."""
    return ProcessPoolExecutor(max_workers=max_workers, initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(parent: int) -> None:
    """Worker initializer: be killed when ``parent`` (the pid that started the pool) dies.

    Also gives SIGTERM its default action back: a forked worker inherits the batch's handler
    (``interrupt_on_sigterm``), and a worker that turned the pool's own terminate() into a
    KeyboardInterrupt could block for ever writing its result to a pipe nobody reads."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watcher below does it
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="docgen-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)  # orphaned: reparented to init or a subreaper


def interrupt_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C in this (main) thread: finished work is kept, the pool is shut
    down, no partial file is left (docgen.atomic), and the exit code says it was interrupted."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
