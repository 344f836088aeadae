"""Benchmark the web app in Chromium (not a test): keystroke → message, and time to preview.

.venv/bin/python bench/web.py [--keys 20] [--previews 10]   # prints a table, writes build/bench/web.json

Starts `docgen serve` on 127.0.0.1 (a throwaway data folder), logs in as a clerk, loads Guangzhou's
example through the upload box, then
  * types one character into 经费安排（万元） N times (alternating a wrong and a right budget) and
    reads the page's own measure: input event → validator's message shown (debounce included);
  * clicks 预览文件包 N times: click → packet HTML shown in the page (validate + view + template).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "web"))

import conftest as web  # noqa: E402  (the tests' server and browser helpers)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=20)
    ap.add_argument("--previews", type=int, default=10)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="docgen-bench-web-") as tmp:
        server = web.start_server(Path(tmp) / "data")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=web.CHROMIUM, args=web.CHROMIUM_FLAGS)
                pages = web.Pages(browser, server, "bench")
                page = pages.new()
                pages.login(page, "gz-clerk")
                page.wait_for_selector("#app[data-ready='1']", state="attached")
                page.get_by_label("上传已填写的征集表").set_input_files(
                    str(ROOT / "data/submissions/2024/guangzhou.yaml")
                )
                page.get_by_role("button", name="载入到页面（替换当前内容）").click()
                page.locator("#check-summary .verdict").get_by_text("没有错误").wait_for()
                budget = page.locator("#f-retained-0-budget")
                keys = []
                for i in range(args.keys):
                    budget.fill("12")
                    page.wait_for_load_state("networkidle")
                    done = int(page.get_attribute("#app", "data-checks") or 0)
                    budget.press("1" if i % 2 == 0 else "0")  # 121 (wrong) / 120 (right)
                    page.wait_for_selector(f"#app[data-checks='{done + 1}']", state="attached")
                    keys.append(float(page.get_attribute("#app", "data-check-ms")))
                previews = []
                for _ in range(args.previews):
                    page.get_by_role("button", name="预览文件包").click()
                    page.locator("#preview-note").get_by_text("预览已生成").wait_for()
                    previews.append(float(page.get_attribute("#app", "data-preview-ms")))
                problems = pages.close()
                browser.close()
        finally:
            web.stop_server(server)
    results = {
        "keystroke_to_message_ms": {"n": len(keys), "p50": statistics.median(keys), "p95": _pct(keys, 0.95)},
        "preview_ms": {"n": len(previews), "p50": statistics.median(previews), "p95": _pct(previews, 0.95)},
        "debounce_ms": 250,
        "page_problems": problems,
    }
    out = ROOT / "build" / "bench" / "web.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    for name in ("keystroke_to_message_ms", "preview_ms"):
        r = results[name]
        print(f"{name:28s} n={r['n']:3d}  p50 {r['p50']:7.0f} ms  p95 {r['p95']:7.0f} ms")
    if problems:
        print("page problems:", *problems, sep="\n  ")


if __name__ == "__main__":
    main()
