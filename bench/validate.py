"""Benchmark validate, the view and the DOCX/XLSX writers per unit, and the 23-unit batch (not a test).

.venv/bin/python bench/validate.py                 # writes build/bench/validate-<commit>.json, prints a table
.venv/bin/python bench/validate.py --no-batch      # the in-process figures only
.venv/bin/python bench/validate.py --compare A.json B.json   # two runs side by side (e.g. before/after)

CPU seconds (``time.process_time``) in one process after a warm-up, so a machine shared with other jobs
moves the figures less than wall time would. Each round times every unit once, so a slow moment of the
machine spreads over the units instead of landing on one; each unit's figure is its median over the
rounds. The batch is run as a child process: its wall time and the CPU seconds of its whole process tree.
The same file runs against older code (it uses only check_source, build_view and render_view).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.check.submission import check_source  # noqa: E402
from docgen.io.source import parse  # noqa: E402
from docgen.registry import Options, render_view  # noqa: E402
from docgen.views.form import build_view  # noqa: E402

EXAMPLES = ROOT / "data" / "submissions" / "2024"
OUT = ROOT / "build" / "bench"
DOCGEN = str(ROOT / ".venv" / "bin" / "docgen")


def cpu_ms(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def rounds(units: dict[str, Callable[[], float]], count: int) -> dict[str, list[float]]:
    """CPU ms of every unit's timed call, `count` rounds, every unit once per round."""
    samples: dict[str, list[float]] = {name: [] for name in units}
    for _ in range(count):
        for name, timed in units.items():
            samples[name].append(timed())
    return samples


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def summary(samples: dict[str, list[float]]) -> dict[str, object]:
    """Per unit: median; over the units: the median and p90 of those medians, their sum; every sample's p90."""
    medians = {name: statistics.median(s) for name, s in samples.items()}
    pooled = [x for s in samples.values() for x in s]
    return {
        "per_unit_median_ms": medians,
        "median_ms": statistics.median(medians.values()),
        "p90_ms": percentile(list(medians.values()), 0.9),
        "sum_ms": sum(medians.values()),
        "pooled_p90_ms": percentile(pooled, 0.9),
        "rounds": len(next(iter(samples.values()))),
    }


def batch() -> dict[str, float]:
    """One cold `docgen batch` of the 23 examples into a fresh folder: wall seconds and the tree's CPU seconds."""
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([DOCGEN, "batch", str(EXAMPLES), "-o", tmp], cwd=ROOT, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"docgen batch failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu}


def measure(
    validate_rounds: int, view_rounds: int, writer_rounds: int, with_batch: bool, pdf_rounds: int = 0
) -> dict[str, object]:
    paths = sorted(EXAMPLES.glob("*.yaml"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    sources = {name: parse(text, name) for name, text in texts.items()}
    results = {name: check_source(source) for name, source in sources.items()}
    bad = [name for name, r in results.items() if r.submission is None]
    assert not bad, f"examples that do not validate: {bad}"

    def view_of(name: str):  # type: ignore[no-untyped-def]
        r = results[name]
        warnings = [str(d) for d in r.warnings]
        return build_view(r.form, r.submission, name, texts[name].encode("utf-8"), warnings)

    views = {name: view_of(name) for name in texts}
    both = Options(formats=("docx", "xlsx"))
    # Warm-up: every path once more (imports, caches, the writers' templates).
    for name in texts:
        check_source(sources[name])
        view_of(name)
        render_view(views[name], None, both)
    if pdf_rounds:  # fonts, style sheets and WeasyPrint's imports, once
        render_view(next(iter(views.values())), None, Options(formats=("pdf",)))
    load_start = os.getloadavg()
    out: dict[str, object] = {}

    parsed: dict[str, list[float]] = {n: [] for n in texts}

    def validate(name: str) -> float:
        # a fresh source, as every real check reads one (its reading timed apart: the form engine left it as it was)
        holder: list[object] = []
        parsed[name].append(cpu_ms(lambda: holder.append(parse(texts[name], name))))
        return cpu_ms(lambda: check_source(holder[0]))  # type: ignore[arg-type]

    checked = rounds({n: (lambda n=n: validate(n)) for n in texts}, validate_rounds)
    out["validate"] = summary(checked)
    out["parse_and_validate"] = summary({n: [a + b for a, b in zip(parsed[n], checked[n])] for n in texts})
    out["build_view"] = summary(rounds({n: (lambda n=n: cpu_ms(lambda: view_of(n))) for n in texts}, view_rounds))
    for fmt in ("docx", "xlsx"):
        options = Options(formats=(fmt,))
        writers = {n: (lambda v=v, o=options: cpu_ms(lambda: render_view(v, None, o))) for n, v in views.items()}
        out[fmt] = summary(rounds(writers, writer_rounds))
    if pdf_rounds:  # the batch's bulk (WeasyPrint): to tell the form engine's share of a batch from the layout's
        pdf = Options(formats=("pdf",))
        out["pdf"] = summary(
            rounds({n: (lambda v=v: cpu_ms(lambda: render_view(v, None, pdf))) for n, v in views.items()}, pdf_rounds)
        )
    if with_batch:
        out["batch"] = batch()
    out["loadavg_start"] = load_start
    out["loadavg_end"] = os.getloadavg()
    return out


def commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "docgen"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def table(runs: list[dict[str, object]]) -> str:
    """The figures of one or more runs as a Markdown table, one column per run."""
    head = "| measure | " + " | ".join(f"{r['commit']} ({r['time'][11:16]})" for r in runs) + " |"
    lines = [head, "|---" * (len(runs) + 1) + "|"]

    def row(label: str, fn: Callable[[dict[str, object]], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in runs) + " |")

    row(
        "validate, CPU ms per filing: median / p90 of the 23",
        lambda r: f"{r['validate']['median_ms']:.2f} / {r['validate']['p90_ms']:.2f}",
    )
    row("validate, all 23 (sum of medians, ms)", lambda r: f"{r['validate']['sum_ms']:.1f}")
    row(
        "reading the YAML and validating, CPU ms per filing: median / p90",
        lambda r: (
            f"{r['parse_and_validate']['median_ms']:.2f} / {r['parse_and_validate']['p90_ms']:.2f}"
            if "parse_and_validate" in r
            else "—"
        ),
    )
    row(
        "build_view, CPU ms per unit: median / p90",
        lambda r: f"{r['build_view']['median_ms']:.2f} / {r['build_view']['p90_ms']:.2f}",
    )
    row("build_view, all 23 (ms)", lambda r: f"{r['build_view']['sum_ms']:.1f}")
    row(
        "DOCX + XLSX writers, all 23 (ms)",
        lambda r: (
            f"{r['docx']['sum_ms']:.0f} + {r['xlsx']['sum_ms']:.0f} = {r['docx']['sum_ms'] + r['xlsx']['sum_ms']:.0f}"
        ),
    )
    row("PDF packets, all 23 (s)", lambda r: f"{r['pdf']['sum_ms'] / 1000:.2f}" if "pdf" in r else "—")
    row(
        "batch of 23, all outputs: CPU / wall (s)",
        lambda r: f"{r['batch']['cpu_s']:.1f} / {r['batch']['wall_s']:.1f}" if "batch" in r else "—",
    )
    row("load average (1 min) at start / end", lambda r: f"{r['loadavg_start'][0]:.1f} / {r['loadavg_end'][0]:.1f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate-rounds", type=int, default=200)
    parser.add_argument("--view-rounds", type=int, default=100)
    parser.add_argument("--writer-rounds", type=int, default=10)
    parser.add_argument(
        "--pdf-rounds", type=int, default=0, help="also the PDF packets of the 23 (slow: ≈ 15 s a round)"
    )
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--compare", nargs="+", type=Path, help="print the tables of earlier runs' JSON files")
    args = parser.parse_args()
    if args.compare:
        print(table([json.loads(p.read_text(encoding="utf-8")) for p in args.compare]))
        return 0
    run = measure(args.validate_rounds, args.view_rounds, args.writer_rounds, not args.no_batch, args.pdf_rounds)
    run["commit"] = commit()
    run["time"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    run["python"] = sys.version.split()[0]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"validate-{run['commit']}-{run['time'][:19].replace(':', '')}.json"
    path.write_text(json.dumps(run, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table([run]))
    print(f"\n{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
