/* docgen web app: the province's page — the 23 units' filings, returning a filing, batches. */
"use strict";
(function () {
  const { api, h, problemText, STATUS, when } = window.docgen;
  const page = JSON.parse(document.getElementById("page-data").textContent);

  function totalText(row, key) {
    const t = row.totals || {};
    const v = t[key];
    return v === undefined || v === null || v === "" ? "—" : String(v);
  }

  async function loadUnits() {
    const note = document.getElementById("units-note");
    const resp = await api("GET", page.api.filings);
    if (resp.status !== 200) {
      note.textContent = `无法读取各单位填报情况：${problemText(resp)}`;
      return;
    }
    const rows = Array.isArray(resp.data) ? resp.data : resp.data.filings || resp.data.items || [];
    const byUnit = Object.fromEntries(rows.map((r) => [r.unit, r]));
    const body = document.querySelector("#units tbody");
    const counts = { none: 0, draft: 0, submitted: 0, returned: 0 };
    body.replaceChildren(...page.units.map((u, i) => {
      const r = byUnit[u.id] || { unit: u.id, status: "none", version: 0 };
      counts[r.status] = (counts[r.status] || 0) + 1;
      const warnings = r.warnings ?? (r.report ? r.report.warnings : null);
      const errors = r.errors ?? (r.report ? r.report.errors : null);
      return h("tr", { "data-unit": u.id, "data-status": r.status },
        h("td", { class: "c" }, String(i + 1)),
        h("th", { scope: "row" }, r.version ? h("a", { href: `${page.links.filing}/${u.id}` }, u.name) : u.name),
        h("td", { class: "c" }, h("span", { class: `status s-${r.status}` }, STATUS[r.status] || r.status)),
        h("td", { class: "c" }, r.version ? `第 ${r.version} 版` : "—"),
        h("td", { class: "c" }, when(r.updated_at)),
        ...page.tables.map((t) => h("td", { class: "num" }, totalText(r, t.key))),
        h("td", { class: "num" }, totalText(r, "all")),
        h("td", { class: "c" }, errors ? `${errors} 个错误` : "", errors && warnings ? "，" : "", warnings ? `${warnings} 个警告` : (errors ? "" : (r.version ? "无" : "—"))));
    }));
    const submitted = rows.filter((r) => r.status === "submitted");
    const filed = rows.filter((r) => r.version);
    document.querySelector("#units tfoot").replaceChildren(
      footRow("sum-submitted", `已提交的 ${submitted.length} 个单位合计（汇总表所含）`, submitted),
      footRow("sum-all", `全部 ${filed.length} 份填报合计（含草稿、已退回）`, filed));
    note.textContent = `共 ${page.units.length} 个单位：已提交 ${counts.submitted}，草稿 ${counts.draft}，已退回 ${counts.returned}，未填报 ${counts.none}。`;
  }

  // Sums of the 万元 texts in whole cents (BigInt), so 0.1 + 0.2 is 0.30 exactly; a filing with
  // errors has no totals and adds nothing.
  function cents(text) {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text ?? ""));
    return m ? BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0")) : 0n;
  }
  function sumText(rows, key) {
    const c = rows.reduce((acc, r) => acc + cents((r.totals || {})[key]), 0n);
    return `${c / 100n}.${String(c % 100n).padStart(2, "0")}`;
  }
  function footRow(id, label, rows) {
    return h("tr", { id },
      h("th", { scope: "row", colspan: "5" }, label),
      ...page.tables.map((t) => h("td", { class: "num" }, sumText(rows, t.key))),
      h("td", { class: "num" }, sumText(rows, "all")),
      h("td", {}, ""));
  }

  // ------------------------------------------------------------------ batches
  // The last job of the year is shown again after a reload (GET jobs?year=…); a running one is followed.
  let polling = null;
  const unitName = Object.fromEntries(page.units.map((u) => [u.id, u.name]));

  async function startBatch() {
    const out = document.getElementById("batch-status");
    const btn = document.getElementById("batch-start");
    btn.disabled = true;
    out.textContent = "正在启动……";
    const resp = await api("POST", page.api.batches, { year: page.year });
    if (resp.status !== 202 && resp.status !== 200) {
      out.textContent = `无法启动批处理：${problemText(resp)}`;
      btn.disabled = false;
      return;
    }
    watch(resp.data.status_url || `${page.api.jobs}/${resp.data.id}`);
  }

  async function showLast() {
    const resp = await api("GET", `${page.api.jobs}?year=${page.year}&limit=1`);
    const job = resp.status === 200 && resp.data.jobs && resp.data.jobs[0];
    if (job) watch(`${page.api.jobs}/${job.id}`);
  }

  function stateText(job) {
    const started = `${when(job.created_at)} 开始${job.created_by ? `（${job.created_by.replace(/^user:/, "")}）` : ""}`;
    const counts = `${job.done || 0} / ${job.total || 0} 个单位`;
    if (job.status === "queued") return `批处理（${started}）：排队中`;
    if (job.status === "running" && job.phase === "summary") {
      return `批处理（${started}）：各单位文件包已完成（${counts}），正在生成汇总表和归档卷……`;
    }
    if (job.status === "running") return `批处理（${started}）：正在生成各单位文件包，${counts}`;
    if (job.status === "done") return `批处理（${started}）：已完成，${counts}，${when(job.finished_at)} 结束`;
    return `批处理（${started}）：失败。${job.reason || ""}`;
  }

  function leftOut(job) {
    const box = document.getElementById("batch-left-out");
    const names = (job.left_out || []).map((u) => u.name);
    box.hidden = names.length === 0;
    if (!names.length) return;
    box.replaceChildren(
      h("summary", {}, `未纳入本次批处理的单位：${names.length} 个（开始时尚未报送）`),
      h("ul", {}, ...names.map((n) => h("li", {}, n))));
  }

  function fileLink(job, name, label) {
    return h("a", { href: `${page.api.jobs}/${job.id}/files/${encodeURIComponent(name)}`, download: name }, label);
  }

  function showFiles(job) {
    const files = document.getElementById("batch-files");
    const names = (job.files || []).map((f) => (typeof f === "string" ? f : f.name));
    const byUnit = {};
    const main = [];
    for (const n of names) {
      const stem = n.replace(/\.[^.]+$/, "");
      if (unitName[stem]) (byUnit[stem] = byUnit[stem] || []).push(n);
      else main.push(n);
    }
    main.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const items = main.map((n) => h("li", {}, fileLink(job, n, n)));
    if (job.status === "done" && names.length) {
      items.unshift(h("li", {}, h("a", { href: `${page.api.jobs}/${job.id}/files.zip`, download: `${page.year}年度批处理文件.zip` },
        "全部文件（ZIP，各单位文件以单位名称命名）")));
    }
    files.replaceChildren(...items);
    const units = page.units.filter((u) => byUnit[u.id]);
    const box = document.getElementById("batch-units");
    box.hidden = units.length === 0;
    box.replaceChildren(
      h("summary", {}, `各单位文件包：${units.length} 个单位`),
      h("ul", { class: "files" }, ...units.map((u) => h("li", {}, `${u.name}：`,
        ...byUnit[u.id].sort().flatMap((n, i) => [i ? " · " : "", fileLink(job, n, n.split(".").pop().toUpperCase())])))));
  }

  function watch(url) {
    const out = document.getElementById("batch-status");
    const bar = document.getElementById("batch-progress");
    const btn = document.getElementById("batch-start");
    clearInterval(polling);
    let last = "";
    const tick = async () => {
      let resp;
      try { resp = await api("GET", url); } catch (e) { out.textContent = "无法读取批处理进度：网络中断，稍后自动重试。"; return; }
      if (resp.status !== 200) { out.textContent = `无法读取批处理进度：${problemText(resp)}`; return; }
      const job = resp.data;
      const finished = job.status === "done" || job.status === "failed";
      bar.hidden = finished;
      bar.max = (job.total || 0) + 1;  // the summary and archive are the last step
      bar.value = (job.done || 0) + (job.status === "done" ? 1 : 0);
      const text = stateText(job);
      if (text !== last) { out.textContent = text; last = text; }  // the live region speaks only on a change
      document.getElementById("batch").dataset.status = job.status;
      btn.disabled = !finished;
      if (finished) {
        clearInterval(polling);
        showFiles(job);
        leftOut(job);
        const errs = job.errors || [];
        document.getElementById("batch-errors").replaceChildren(...errs.map((e) => h("li", { class: "error" }, typeof e === "string" ? e : (e.message || JSON.stringify(e)))));
      }
    };
    tick();
    polling = setInterval(tick, 1000);
  }
  // the summary and the archive volume first: they are what the province came for
  const rank = (n) => (n.includes("汇总表") ? 0 : n.includes("归档卷") ? 1 : 2);

  document.getElementById("batch-start").addEventListener("click", startBatch);
  document.getElementById("refresh").addEventListener("click", loadUnits);
  Promise.all([loadUnits(), showLast()]).then(() => { document.getElementById("app").dataset.ready = "1"; });
})();
