"""Benchmark docgen (not a test): batch cold/warm, per format, PDF per page, one render, scaling, memory.

.venv/bin/python bench/run.py            # writes build/bench/report.md and prints it
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.check.submission import check_file  # noqa: E402
from docgen.form.loading import load as load_form  # noqa: E402
from docgen.registry import Options, render_view  # noqa: E402
from docgen.views.form import build_view  # noqa: E402

EXAMPLES = ROOT / "data" / "submissions" / "2024"
OUT = ROOT / "build" / "bench"
DOCGEN = [str(ROOT / ".venv" / "bin" / "docgen")]
TARGETS = {"batch_cold_s": 15.0, "render_one_s": 3.0, "scaling_ratio": 12.0, "peak_mb": 1024.0, "pdf_page_ms": 40.0}


def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        rss[int(entry)] = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def timed_command(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the process tree, exit code)."""
    wall, peak, code, _ = timed_command_cpu(args)
    return wall, peak, code


def timed_command_cpu(args: list[str]) -> tuple[float, float, int, float]:
    """(wall seconds, peak MB of the process tree, exit code, CPU seconds of the tree: user + system of
    every process it waited for, e.g. the batch's workers, LibreOffice's soffice.bin)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak / 1024, code, cpu


def libreoffice_side_by_side(rounds: int = 2) -> list[tuple[float, float, float, float]]:
    """The cold 23-unit batch (all outputs) and LibreOffice converting the same 23 DOCX to PDF, one
    after the other, ``rounds`` times: [(batch wall, batch CPU, LibreOffice wall, LibreOffice CPU)].
    LibreOffice runs headless with its own profile, made by one conversion before the first round
    (its first start, creating the profile, is not counted)."""
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    batch_dir = OUT / "side-by-side"
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        lo = [soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf"]
        for i in range(rounds):
            shutil.rmtree(batch_dir, ignore_errors=True)
            b_wall, _, code, b_cpu = timed_command_cpu([*DOCGEN, "batch", str(EXAMPLES), "-o", str(batch_dir)])
            assert code == 0, "docgen batch failed"
            docx = sorted(str(p) for p in batch_dir.glob("*.docx"))
            lo_out = Path(tmp) / f"pdf{i}"
            if i == 0:
                subprocess.run([*lo, "--outdir", str(Path(tmp) / "warm"), docx[0]], check=True, capture_output=True)
            l_wall, _, code, l_cpu = timed_command_cpu([*lo, "--outdir", str(lo_out), *docx])
            assert code == 0 and len(list(lo_out.glob("*.pdf"))) == len(docx), "LibreOffice failed"
            out.append((b_wall, b_cpu, l_wall, l_cpu))
    return out


def per_format(paths: list[Path]) -> tuple[dict[str, float], int]:
    """In-process seconds per writer over all examples, and the PDF page count."""
    import io

    from pypdf import PdfReader

    seconds = {"docx": 0.0, "xlsx": 0.0, "pdf": 0.0}
    pages = 0
    for path in paths:
        result = check_file(path)
        view = build_view(result.form, result.submission, path.name, path.read_bytes())
        for fmt in seconds:
            start = time.perf_counter()
            data = render_view(view, None, Options(formats=(fmt,)))[fmt]
            seconds[fmt] += time.perf_counter() - start
            if fmt == "pdf":
                pages += len(PdfReader(io.BytesIO(data)).pages)
    return seconds, pages


def synthetic(n: int) -> str:
    """A unit with n projects spread over tables （一） and （四）."""
    form = load_form(2024)
    cats = form.category_names(form.table("retained"))
    lines = [
        "form: 2024",
        "unit: 基准测试单位",
        "unit_kind: other",
        "contact: {name: 测试, phone: '020-1'}",
        "date: 2023-05-26",
        "retained:",
    ]
    per_item = 5
    for i in range(n // 2 // per_item):
        lines += [
            f"  - category: {cats[i % len(cats)]}",
            f"    work: 第{i}项工作内容，围绕重点产业开展知识产权工作，" + "推进" * 20,
            f"    budget: {per_item * 30}",
            "    projects:",
        ]
        for j in range(per_item):
            lines += [
                f"      - name: 项目{i}-{j}",
                "        count: 1",
                "        unit_amount: 30",
                "        necessity: " + "项目设置必要性说明，" * 8,
                "        policy_basis: 《广东省知识产权保护和运用“十四五”规划》",
                f"        performance: 培育企业不少于{j + 1}家",
            ]
    lines.append("delegated:")
    rest = n - (n // 2 // per_item) * per_item
    lines += [
        "  - category: 知识产权高质量创造",
        "    work: 各地市拟在省局拨付资金中自行开展的工作内容",
        "    projects:",
    ]
    for k in range(rest):
        lines += [
            f"      - name: 自行项目{k}",
            "        amount: 12.5",
            "        necessity: " + "必要性，" * 10,
            "        policy_basis: 《关于强化知识产权保护的意见》",
            f"        performance: 完成{k}项",
        ]
    return "\n".join(lines) + "\n"


def scaling() -> dict[int, dict[str, float]]:
    from docgen.check.submission import check_source
    from docgen.io.source import parse

    out = {}
    for n in (10, 100, 1000):
        text = synthetic(n)
        result = check_source(parse(text, f"synthetic-{n}.yaml"))
        assert result.submission is not None, [str(d) for d in result.errors][:3]
        view = build_view(result.form, result.submission, "synthetic.yaml", text.encode())
        row = {}
        for fmt in ("docx", "xlsx", "pdf"):
            start = time.perf_counter()
            render_view(view, None, Options(formats=(fmt,)))
            row[fmt] = time.perf_counter() - start
        row["all"] = sum(row.values())
        out[n] = row
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    batch_dir = OUT / "2024"
    shutil.rmtree(batch_dir, ignore_errors=True)
    cold, cold_mb, code_cold = timed_command([*DOCGEN, "batch", str(EXAMPLES), "-o", str(batch_dir)])
    warm, warm_mb, code_warm = timed_command([*DOCGEN, "batch", str(EXAMPLES), "-o", str(batch_dir)])
    one, one_mb, code_one = timed_command([*DOCGEN, "render", str(EXAMPLES / "guangzhou.yaml"), "-o", str(OUT / "one")])
    paths = sorted(EXAMPLES.glob("*.yaml"))
    fmt_seconds, pages = per_format(paths)
    scale = scaling()
    side = libreoffice_side_by_side()
    best_batch, best_lo = min(r[0] for r in side), min(r[2] for r in side)
    ratio = scale[1000]["all"] / scale[100]["all"]
    peak = max(cold_mb, warm_mb, one_mb)
    rows = [
        (
            "23-unit batch, cold (wall)",
            f"{cold:.2f} s",
            f"≤ {TARGETS['batch_cold_s']:.0f} s",
            cold <= TARGETS["batch_cold_s"] and code_cold == 0,
        ),
        ("23-unit batch, warm no-op (wall)", f"{warm:.2f} s", "—", code_warm == 0),
        (
            "one `docgen render` of Guangzhou incl. interpreter start",
            f"{one:.2f} s",
            f"≤ {TARGETS['render_one_s']:.0f} s",
            one <= TARGETS["render_one_s"] and code_one == 0,
        ),
        ("DOCX, all 23 (in-process, one core)", f"{fmt_seconds['docx']:.2f} s", "—", True),
        ("XLSX, all 23 (in-process, one core)", f"{fmt_seconds['xlsx']:.2f} s", "—", True),
        ("PDF, all 23 (in-process, one core)", f"{fmt_seconds['pdf']:.2f} s for {pages} pages", "—", True),
        (
            "PDF per page",
            f"{fmt_seconds['pdf'] / max(pages, 1) * 1000:.0f} ms",
            f"≤ {TARGETS['pdf_page_ms']:.0f} ms",
            fmt_seconds["pdf"] / max(pages, 1) * 1000 <= TARGETS["pdf_page_ms"],
        ),
        (
            "23-unit batch, all outputs, beside LibreOffice converting its 23 DOCX (best wall of "
            f"{len(side)} alternating rounds)",
            f"{best_batch:.2f} s vs {best_lo:.2f} s ({best_batch / best_lo:.1f}×)",
            "≤ LibreOffice",
            best_batch <= best_lo,
        ),
        (
            "scaling 1,000 / 100 projects (all formats)",
            f"{ratio:.1f}×",
            f"≤ {TARGETS['scaling_ratio']:.0f}×",
            ratio <= TARGETS["scaling_ratio"],
        ),
        ("peak memory (process tree)", f"{peak:.0f} MB", f"≤ {TARGETS['peak_mb']:.0f} MB", peak <= TARGETS["peak_mb"]),
    ]
    lines = [
        f"# docgen benchmark — {dt.datetime.now().isoformat(timespec='seconds')}",
        "",
        f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}.",
        "",
        "| measure | result | target | ok |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {'yes' if ok else '**NO**'} |" for a, b, c, ok in rows]
    lines += [
        "",
        "Scaling, one synthetic unit (seconds, in-process):",
        "",
        "| projects | DOCX | XLSX | PDF | all |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {n} | {r['docx']:.2f} | {r['xlsx']:.2f} | {r['pdf']:.2f} | {r['all']:.2f} |" for n, r in scale.items()
    ]
    lines += [
        "",
        "Side by side, alternating (wall s / CPU s of the process tree):",
        "",
        "| round | docgen batch (DOCX, XLSX, PDF, summary, archive) | LibreOffice: 23 DOCX → PDF |",
        "|---|---|---|",
    ]
    lines += [f"| {i + 1} | {r[0]:.2f} / {r[1]:.2f} | {r[2]:.2f} / {r[3]:.2f} |" for i, r in enumerate(side)]
    report = "\n".join(lines) + "\n"
    (OUT / "report.md").write_text(report, encoding="utf-8")
    print(report)
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
