"""docgen batch: parallel units, failures isolated, manifest, incremental rebuilds, summary, Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from docgen.batch.manifest import sha256_file
from docgen.batch.runner import build
from docgen.check.submission import check_file
from docgen.io.paths import TEMPLATES_DIR
from docgen.views.form import build_view

pytestmark = pytest.mark.slow  # whole batches, interrupted and rerun

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "submissions" / "2024"
UNITS = ["heyuan", "shanwei", "yunfu", "guangzhou"]
FORMATS = ("docx", "xlsx", "pdf")
SOME = ["heyuan", "shanwei"]  # two small units of UNITS, for the tests that rebuild from nothing


def subset(inputs: Path, folder: Path, stems: list[str]) -> Path:
    """A folder holding only the ``stems`` of ``inputs``."""
    folder.mkdir()
    for stem in stems:
        shutil.copy(inputs / f"{stem}.yaml", folder)
    return folder


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for unit in UNITS:
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder / f"{unit}.yaml")
    # 深圳 files only this broken file (a second file for a unit that also filed would be refused as a duplicate)
    broken = (EXAMPLES / "shenzhen.yaml").read_text(encoding="utf-8").replace("form: 2024", "form: 2024\ncolour: red")
    (folder / "broken.yaml").write_text(broken, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def first_run(inputs: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    report = build(inputs, out, jobs=2, formats=FORMATS, archive=False, log=quiet)
    return out, report


def outputs_of(out: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, sha256_file(p)) for p in sorted(out.iterdir()) if p.is_file()}


def test_bad_unit_is_reported_and_the_rest_go_on(first_run) -> None:
    out, report = first_run
    assert report.failed == ["broken"]
    assert report.exit_code == 1
    assert any("colour" in m for m in report.results["broken"].messages)
    for unit in UNITS:
        assert report.results[unit].status == "ok"
        for fmt in FORMATS:
            assert (out / f"{unit}.{fmt}").stat().st_size > 1000
    assert not list(out.glob("broken.*"))
    assert not list(out.glob(".*.part")), "no temporary files left behind"


def test_manifest_describes_every_output(first_run, inputs: Path) -> None:
    out, _ = first_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docgen_version"] and manifest["templates_sha256"]
    for unit in UNITS:
        entry = manifest["units"][unit]
        assert entry["source_sha256"] == sha256_file(inputs / f"{unit}.yaml")
        assert {o["path"] for o in entry["outputs"]} == {f"{unit}.{fmt}" for fmt in FORMATS}
        for o in entry["outputs"]:
            assert o["sha256"] == sha256_file(out / o["path"])
            assert o["size"] == (out / o["path"]).stat().st_size
    assert manifest["units"]["broken"]["status"] == "invalid"
    summary = manifest["summary"]["outputs"]
    assert any(o["path"] == "汇总表.xlsx" for o in summary)


def test_rerun_rebuilds_nothing_then_only_what_changed(first_run, inputs: Path, tmp_path: Path) -> None:
    out, _ = first_run
    work = tmp_path / "in"
    shutil.copytree(inputs, work)
    (work / "broken.yaml").unlink()
    outdir = tmp_path / "out"
    shutil.copytree(out, outdir)
    before = outputs_of(outdir)
    again = build(work, outdir, jobs=2, formats=FORMATS, archive=False, log=quiet)
    # the broken unit left: the summary changes, no unit output does
    assert sorted(again.skipped) == sorted(UNITS) and again.exit_code == 0
    after_noop = outputs_of(outdir)
    for unit in UNITS:
        for fmt in FORMATS:
            name = f"{unit}.{fmt}"
            assert after_noop[name] == before[name], f"{name} was rewritten"
    third = build(work, outdir, jobs=2, formats=FORMATS, archive=False, log=quiet)
    assert sorted(third.skipped) == sorted(UNITS)
    assert outputs_of(outdir)["汇总表.xlsx"] == after_noop["汇总表.xlsx"], "no-op rerun rebuilt the summary"

    text = (work / "yunfu.yaml").read_text(encoding="utf-8")
    (work / "yunfu.yaml").write_text(text + "\n# 修改备注\n", encoding="utf-8")
    fourth = build(work, outdir, jobs=2, formats=FORMATS, archive=False, log=quiet)
    assert sorted(fourth.skipped) == sorted(u for u in UNITS if u != "yunfu")
    after = outputs_of(outdir)
    # Every output names its source's SHA-256, so all of yunfu's are rebuilt; the others are untouched.
    for fmt in FORMATS:
        assert after[f"yunfu.{fmt}"][0] != after_noop[f"yunfu.{fmt}"][0]
        assert after[f"heyuan.{fmt}"] == after_noop[f"heyuan.{fmt}"]
    # The summary is built from what the units filed, not from their bytes: a comment leaves it as it was …
    assert after["汇总表.xlsx"] == after_noop["汇总表.xlsx"]
    # … and a changed text rebuilds it.
    (work / "yunfu.yaml").write_text(text.replace("不少于100人次", "不少于120人次"), encoding="utf-8")
    build(work, outdir, jobs=2, formats=FORMATS, archive=False, log=quiet)
    assert outputs_of(outdir)["汇总表.xlsx"][1] != after["汇总表.xlsx"][1]


def test_template_change_rebuilds_all_and_same_inputs_give_same_bytes(first_run, inputs: Path, tmp_path: Path) -> None:
    out, _ = first_run
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    some = subset(inputs, tmp_path / "in", SOME)
    outdir = tmp_path / "out"
    report = build(some, outdir, jobs=2, formats=FORMATS, archive=False, templates=templates, log=quiet)
    assert report.skipped == []
    # a fresh build from the same inputs and (copied) templates gives identical bytes
    for unit in SOME:
        for fmt in FORMATS:
            assert sha256_file(outdir / f"{unit}.{fmt}") == sha256_file(out / f"{unit}.{fmt}"), f"{unit}.{fmt}"
    css = next(templates.rglob("*.css.j2"), None) or next(templates.rglob("*.j2"))
    css.write_text(css.read_text(encoding="utf-8") + "\n/* province's tweak */\n", encoding="utf-8")
    again = build(some, outdir, jobs=2, formats=FORMATS, archive=False, templates=templates, log=quiet)
    assert again.skipped == [] and sorted(again.results) == sorted(SOME)


def test_summary_totals_reconcile_with_each_units_own_totals(first_run, inputs: Path) -> None:
    out, _ = first_run
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    sheets = {"retained": "表一汇总", "post_subsidy": "表二汇总", "support": "表三汇总", "delegated": "表四汇总"}
    grand = Decimal(0)
    for unit in UNITS:
        result = check_file(inputs / f"{unit}.yaml")
        view = build_view(result.form, result.submission)
        for key, sheet in sheets.items():
            ws = wb[sheet]
            row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == view.unit)
            assert Decimal(str(row[-1].value)).quantize(Decimal("0.01")) == view.table(key).total, (unit, key)
            grand += view.table(key).total
    flat = wb["项目清单"]
    assert flat.auto_filter.ref
    amounts = sum(Decimal(str(r[7].value)).quantize(Decimal("0.01")) for r in flat.iter_rows(min_row=2))
    assert amounts == grand
    missing = [[c.value for c in r] for r in wb["未报送或失败"].iter_rows(min_row=2)]
    assert ["珠海市市场监督管理局（知识产权局）", "未报送", "没有收到该单位的填报文件"] in missing
    # a failed unit is named, with the file that failed in the reason
    assert any(r[0] == "深圳市市场监督管理局（知识产权局）" and "broken.yaml" in r[2] for r in missing), missing
    assert len(missing) == 23 - len(UNITS)


def start_batch_and_wait_for_a_unit(tmp_path: Path, spawn, **popen: object) -> tuple[Path, Path, subprocess.Popen]:
    """`docgen batch -j 2` over 5 units in a subprocess of its own session (``spawn`` kills its
    process group when the test ends, whatever happens), returned once its first packet is written
    (then at least 3 units are still to do: enough to be cut off in the middle)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(EXAMPLES.glob("*.yaml"))[:5]:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "out"
    proc = spawn(
        [sys.executable, "-m", "docgen", "batch", str(folder), "-o", str(out), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("*.pdf")):
        time.sleep(0.05)
    return folder, out, proc


def test_ctrl_c_leaves_no_partial_file_and_a_rerun_completes(tmp_path: Path, spawn) -> None:
    folder, out, proc = start_batch_and_wait_for_a_unit(tmp_path, spawn)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, workers too
    proc.communicate(timeout=120)
    assert not list(out.rglob(".*.part")), "a partial file was left behind"
    if (out / "manifest.json").exists():  # absent if interrupted before the first unit finished
        json.loads((out / "manifest.json").read_text(encoding="utf-8"))  # never half written
    report = build(folder, out, jobs=2, formats=FORMATS, archive=False, log=quiet)
    assert report.exit_code == 0
    assert len(list(out.glob("*.pdf"))) >= 5


def test_dask_cluster_gives_the_same_bytes(first_run, inputs: Path, tmp_path: Path) -> None:
    import distributed  # a test dependency: never skipped

    out, _ = first_run
    some = subset(inputs, tmp_path / "in", [*SOME, "broken"])
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        report = build(
            some, tmp_path / "out", scheduler=cluster.scheduler_address, formats=FORMATS, archive=False, log=quiet
        )
    assert report.failed == ["broken"]
    for unit in SOME:
        for fmt in FORMATS:
            assert sha256_file(tmp_path / "out" / f"{unit}.{fmt}") == sha256_file(out / f"{unit}.{fmt}"), (unit, fmt)


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def test_a_killed_worker_leaves_no_partial_file_and_a_rerun_completes(tmp_path: Path, spawn) -> None:
    folder, out, proc = start_batch_and_wait_for_a_unit(tmp_path, spawn)
    workers = _children(proc.pid)
    assert workers, "the batch runs a process pool"
    os.kill(workers[0], signal.SIGKILL)  # a worker dies mid-batch (out of memory, killed by an operator)
    output, _ = proc.communicate(timeout=300)
    text = output.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert proc.returncode == 1 and "工作进程异常退出" in text  # the lost units are reported, not hidden
    assert not list(out.rglob(".*.part")), "a partial file was left behind"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["units"].values():  # whatever was recorded as built is whole on disk
        for o in entry["outputs"]:
            assert sha256_file(out / o["path"]) == o["sha256"]
    report = build(folder, out, jobs=2, formats=FORMATS, archive=False, log=quiet)
    units = {p.stem for p in folder.glob("*.yaml")}
    assert report.exit_code == 0
    assert units <= {p.stem for p in out.glob("*.pdf")}
