"""The suite's own guard (tests/conftest.py): a docgen process started by the run and left alive is found."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from testkit import kill_group, leftover_processes


def test_a_detached_docgen_process_is_found_and_spawn_ends_it(spawn) -> None:
    # its own session and no parent link to the check other than the inherited tag
    proc = spawn([sys.executable, "-c", "import time; time.sleep(120)  # docgen batch stand-in"])
    assert proc.pid in leftover_processes()
    kill_group(proc)
    assert proc.pid not in leftover_processes()


def test_an_orphaned_grandchild_is_found_by_its_tag() -> None:
    """A worker whose parent died is reparented away from pytest: the environment tag still names it."""
    code = (
        "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
        "'import time; time.sleep(120)  # docgen worker'], start_new_session=True, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(p.pid)"
    )
    pid = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    try:
        assert pid in leftover_processes()
    finally:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid in leftover_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid not in leftover_processes()
