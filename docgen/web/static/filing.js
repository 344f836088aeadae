/* docgen web app: the filing page — the four tables of the published form, live checks, drafts,
   preview, upload and submit. Plain JavaScript, no build step; all requests go to this server. */
"use strict";
(function () {
  const { api, h, problemText, STATUS, when } = window.docgen;
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const form = page.form;
  const DRAFT_KEY = `docgen:draft:${page.year}:${page.unit.id}`;
  const CHECK_DELAY = 250; // ms after the last keystroke before the validator runs
  const SAVE_DELAY = 1200; // ms after the last keystroke before the draft is saved on the server

  const state = {
    sub: null,
    version: 0,
    status: "none",
    reason: "",
    readOnly: page.readOnly,
    report: null,
    serverJson: "", // the JSON the server holds for this page (the working draft, else the latest version)
    latestJson: "", // the JSON of the latest version
    checkSeq: 0,
  };

  // ------------------------------------------------------------------ amounts (exact, in 分)
  // The checker's rule (docgen/models/values.py), so the page never shows a sum the checker refuses:
  // full-width digits, point and signs read as ASCII (an input method's １２．５); a comma is refused
  // ("60,5" is not 605); at most two decimals; never negative; an exponent is allowed as Decimal reads it.
  const WIDE = { "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6", "７": "7", "８": "8", "９": "9",
    "．": ".", "－": "-", "＋": "+", "\u2212": "-" };
  const narrow = (text) => String(text ?? "").replace(/[０-９．－＋\u2212]/g, (c) => WIDE[c]).trim();
  const DECIMAL = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;
  function cents(text) {
    const m = DECIMAL.exec(narrow(text));
    if (!m || (m[1] === "" && (m[2] || "") === "")) return null;
    let digits = (m[1] || "") + (m[2] || "");
    let point = (m[1] || "").length + Number(m[3] || 0);  // digits before the decimal point
    digits = digits.replace(/^0+(?=\d)/, (z) => { point -= z.length; return ""; });
    const frac = digits.length - point;  // decimals written (after the exponent)
    if (frac > 2 && /[1-9]/.test(digits.slice(point + 2))) return null;  // 30.001: refused, as the checker does
    const whole = point <= 0 ? "0" : digits.slice(0, point).padEnd(point, "0");
    const dec = (point < 0 ? "0".repeat(-point) + digits : digits.slice(Math.max(point, 0))).slice(0, 2).padEnd(2, "0");
    const c = Number(whole) * 100 + Number(dec);
    return Number.isSafeInteger(c) ? c : null;
  }
  function yuan(c) {
    if (c === null) return "—";
    return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`;
  }
  function count(text) {
    const m = /^\+?(\d+)$/.exec(narrow(text));
    const n = m ? Number(m[1]) : null;
    return n && Number.isSafeInteger(n) ? n : null;  // a count is a whole number ≥ 1
  }

  // ------------------------------------------------------------------ the submission
  function blankSubmission() {
    return {
      form: page.year, unit: page.unit.name, unit_kind: page.unit.kind, ...(page.unit.city ? { city: page.unit.city } : {}),
      contact: { name: "", phone: "" }, date: new Date().toISOString().slice(0, 10),
      ...Object.fromEntries(form.tables.map((t) => [t.key, []])),  // the form's own tables, each empty
    };
  }
  const asText = (v) => (v === null || v === undefined ? "" : String(v));
  /** Data from the server or a file → the page's model (every value a string, presets by name). */
  function normalise(data) {
    const s = Object.assign(blankSubmission(), data || {});
    s.contact = Object.assign({ name: "", phone: "" }, s.contact || {});
    for (const t of form.tables) s[t.key] = Array.isArray(s[t.key]) ? s[t.key] : [];
    const walk = (v) => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return asText(v);
    };
    const out = walk(s);
    out.form = Number(out.form) || page.year;
    for (const item of form.tables.flatMap((t) => out[t.key])) {
      if (item && typeof item === "object" && "preset" in item) {
        const p = presetOf(item.preset);
        if (p) item.preset = p.name;
      }
    }
    return out;
  }
  const NUMERIC = new Set(["budget", "count", "unit_amount", "amount"]);
  /** The model → the JSON sent to the service (empty amounts left out, so the validator names them missing). */
  function toJson(sub) {
    const walk = (v) => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") {
        const o = {};
        for (const [k, x] of Object.entries(v)) {
          if (NUMERIC.has(k) && String(x).trim() === "") continue;
          o[k] = walk(x);
        }
        return o;
      }
      return v;
    };
    const out = walk(sub);
    out.form = page.year;
    return out;
  }
  function presetOf(nameOrId) {
    const squash = (t) => String(t).replace(/\s+/g, "");
    return form.presets.find((p) => p.id === nameOrId || squash(p.name) === squash(nameOrId)) || null;
  }

  // ------------------------------------------------------------------ paths ↔ inputs
  const fieldId = (path) => "f-" + path.replace(/[[\].]+/g, "-").replace(/-+$/, "");
  function getAt(path) {
    let v = state.sub;
    for (const part of path.match(/[^.[\]]+/g)) v = v == null ? undefined : v[/^\d+$/.test(part) ? Number(part) : part];
    return v;
  }
  function setAt(path, value) {
    const parts = path.match(/[^.[\]]+/g);
    let v = state.sub;
    for (const part of parts.slice(0, -1)) v = v[/^\d+$/.test(part) ? Number(part) : part];
    v[parts[parts.length - 1]] = value;
  }

  // ------------------------------------------------------------------ building the page
  const tableOf = (key) => form.tables.find((t) => t.key === key);
  function title(table, key) {
    // the form's own column title; amounts carry the form's unit as the 经费安排（万元） column does
    const t = (table && table.columns[key]) || form.field_titles[key] || key;
    return NUMERIC.has(key) && !t.includes("（") ? `${t}（${form.amount_unit}）` : t;
  }

  function field(path, label, opts = {}) {
    const id = fieldId(path);
    const value = asText(getAt(path));
    const wide = opts.multiline;
    const common = {
      id, name: path, "data-path": path, "aria-describedby": `${id}-msg`,
      readonly: state.readOnly, class: opts.numeric ? "num" : null,
    };
    let input;
    if (opts.choices) {
      input = h("select", { ...common, disabled: state.readOnly, readonly: null },
        h("option", { value: "" }, "（请选择）"),
        ...opts.choices.map((c) => (typeof c === "string" ? h("option", { value: c, selected: c === value }, c)
          : h("optgroup", { label: c.group }, ...c.options.map((o) => h("option", { value: o, selected: o === value }, o))))));
      input.value = value;
    } else if (wide) {
      input = h("textarea", { ...common, rows: 2 });
      input.value = value;
    } else {
      input = h("input", {
        ...common, type: opts.type || "text", value,
        inputmode: opts.numeric ? (opts.integer ? "numeric" : "decimal") : null, autocomplete: opts.autocomplete || "off",
      });
    }
    return h("div", { class: "field" + (wide ? " wide" : "") + (opts.numeric ? " short" : "") },
      h("label", { for: id }, label),
      input,
      opts.after || null,
      h("div", { class: "msg", id: `${id}-msg` }));
  }

  function rowTools(listPath, index, length, noun, rerender) {
    if (state.readOnly) return null;
    const move = (delta) => () => {
      const list = getAt(listPath);
      const [row] = list.splice(index, 1);
      list.splice(index + delta, 0, row);
      changed(true, `${listPath}[${index + delta}]`, delta < 0 ? "up" : "down");
    };
    const n = index + 1;
    return h("div", { class: "row-tools" },
      h("button", { type: "button", class: "tool", "data-tool": "up", disabled: index === 0, "aria-label": `上移第${n}个${noun}`, onclick: move(-1) }, "上移"),
      h("button", { type: "button", class: "tool", "data-tool": "down", disabled: index === length - 1, "aria-label": `下移第${n}个${noun}`, onclick: move(1) }, "下移"),
      h("button", {
        type: "button", class: "tool danger", "data-tool": "remove", "aria-label": `删除第${n}个${noun}`,
        onclick: () => {
          const before = snapshot();
          const list = getAt(listPath);
          list.splice(index, 1);
          // focus stays on the row that took its place (or the one above), never the top of the page
          const next = list.length ? `${listPath}[${Math.min(index, list.length - 1)}]` : listPath;
          changed(true, next, list.length ? "remove" : null);
          offerUndo(`已删除第${n}个${noun}。`, before, `${listPath}[${index}]`);
        },
      }, "删除"));
  }

  function projectBlock(table, itemPath, pi, length, own) {
    const p = `${itemPath}.projects[${pi}]`;
    const fields = [field(`${p}.name`, title(table, "name"))];
    if (own) {
      fields.push(field(`${p}.amount`, title(table, "amount"), { numeric: true }));
    } else {
      fields.push(
        h("div", { class: "quantity", role: "group", "aria-label": title(table, "quantity") },
          field(`${p}.count`, form.field_titles.count, { numeric: true, integer: true }),
          h("span", { class: "times", "aria-hidden": "true" }, "×"),
          field(`${p}.unit_amount`, form.field_titles.unit_amount, { numeric: true }),
          h("output", { class: "product", id: `${fieldId(p)}-product`, "aria-live": "off" })));
    }
    fields.push(
      field(`${p}.necessity`, title(table, "necessity"), { multiline: true }),
      field(`${p}.policy_basis`, title(table, "policy_basis"), { multiline: true }),
      field(`${p}.performance`, title(table, "performance"), { multiline: true }),
      field(`${p}.remarks`, title(table, "remarks"), { multiline: true }));
    return h("fieldset", { class: "project", id: fieldId(p), "data-path": p },
      h("legend", {}, `${title(table, "name")} ${pi + 1}`),
      h("div", { class: "fields" }, fields),
      rowTools(`${itemPath}.projects`, pi, length, "项目", true));
  }

  // ------------------------------------------------------------------ undo
  const snapshot = () => JSON.parse(JSON.stringify(state.sub));
  let undoTimer = null;
  /** A bar saying what was done, with 撤销 (kept 30 s or until the next undoable act). */
  function offerUndo(text, before, focusPath) {
    const bar = document.getElementById("undo-bar");
    clearTimeout(undoTimer);
    bar.replaceChildren(h("span", {}, text), " ",
      h("button", { type: "button", id: "undo", onclick: () => {
        state.sub = before;
        bar.hidden = true;
        bar.replaceChildren();
        changed(true, focusPath);
        setStatus("已撤销。", "ok");
      } }, "撤销"));
    bar.hidden = false;
    undoTimer = setTimeout(() => { bar.hidden = true; bar.replaceChildren(); }, 30_000);
  }

  function addButton(text, onclick) {
    return state.readOnly ? null : h("button", { type: "button", class: "add", onclick }, text);
  }

  function workItemBlock(table, key, i, length) {
    const path = `${key}[${i}]`;
    const item = getAt(path);
    return h("fieldset", { class: "item", id: fieldId(path), "data-path": path },
      h("legend", {}, `${title(table, "work")} ${i + 1}`),
      h("div", { class: "fields" },
        field(`${path}.category`, title(table, "category"), { choices: table.categories }),
        field(`${path}.work`, title(table, "work"), { multiline: true }),
        field(`${path}.budget`, title(table, "budget"), {
          numeric: true, after: h("output", { class: "sum", id: `${fieldId(path)}-sum` }),
        }),
        field(`${path}.estimate`, form.field_titles.estimate, { multiline: true })),
      h("div", { class: "projects" }, item.projects.map((_, pi) => projectBlock(table, path, pi, item.projects.length, false))),
      addButton(`在此工作内容下添加${title(table, "name")}`, () => {
        item.projects.push({ name: "", count: "", unit_amount: "", necessity: "", policy_basis: "", performance: "", remarks: "" });
        changed(true, `${path}.projects[${item.projects.length - 1}].name`);
      }),
      rowTools(key, i, length, title(table, "work"), true));
  }

  function subsidyBlock(table, i, length) {
    const path = `${table.key}[${i}]`;
    return h("fieldset", { class: "item", id: fieldId(path), "data-path": path },
      h("legend", {}, `${title(table, "name")} ${i + 1}`),
      h("div", { class: "fields" },
        field(`${path}.work`, title(table, "work"), { multiline: true }),
        field(`${path}.name`, title(table, "name")),
        field(`${path}.amount`, title(table, "amount"), { numeric: true }),
        field(`${path}.basis`, title(table, "basis"), { multiline: true }),
        field(`${path}.recipient`, title(table, "recipient"), { multiline: true }),
        field(`${path}.performance`, title(table, "performance"), { multiline: true }),
        field(`${path}.remarks`, title(table, "remarks"), { multiline: true })),
      rowTools(table.key, i, length, "后补助", true));
  }

  function presetBlock(table, i, length) {
    const path = `${table.key}[${i}]`;
    const item = getAt(path);
    const preset = presetOf(item.preset);
    const byCategory = table.categories.map((c) => ({ group: c, options: form.presets.filter((p) => p.category === c).map((p) => p.name) }))
      .filter((g) => g.options.length);
    const fixed = (key, value) => h("div", { class: "fixed" + (key === "category" ? "" : " wide") },
      h("span", { class: "fixed-label", id: `${fieldId(path)}-${key}-label` }, title(table, key)),
      h("p", { class: "fixed-text", "aria-labelledby": `${fieldId(path)}-${key}-label` }, value || "—"));
    return h("fieldset", { class: "item preset", id: fieldId(path), "data-path": path },
      h("legend", {}, `预设项目 ${i + 1}`),
      h("div", { class: "fields" },
        field(`${path}.preset`, title(table, "name"), { choices: byCategory }),
        preset ? [
          fixed("category", preset.category), fixed("work", preset.work),
          fixed("necessity", preset.necessity), fixed("policy_basis", preset.policy_basis),
          preset.remarks ? h("p", { class: "hint wide" }, `省局备注：${preset.remarks}`) : null,
        ] : h("p", { class: "hint wide" }, "请选择省局预设的项目，其类型、工作内容、必要性和政策依据由省局填写。"),
        field(`${path}.amount`, title(table, "amount"), { numeric: true }),
        field(`${path}.performance`, title(table, "performance"), { multiline: true }),
        field(`${path}.remarks`, title(table, "remarks"), { multiline: true })),
      rowTools(table.key, i, length, "项目", true));
  }

  function ownBlock(table, i, length) {
    const path = `${table.key}[${i}]`;
    const item = getAt(path);
    return h("fieldset", { class: "item", id: fieldId(path), "data-path": path },
      h("legend", {}, `自行开展的工作 ${i + 1}`),
      h("div", { class: "fields" },
        field(`${path}.category`, title(table, "category"), { choices: table.categories }),
        field(`${path}.work`, title(table, "work"), { multiline: true }),
        h("output", { class: "sum wide", id: `${fieldId(path)}-sum` })),
      h("div", { class: "projects" }, item.projects.map((_, pi) => projectBlock(table, path, pi, item.projects.length, true))),
      addButton(`在此工作内容下添加${title(table, "name")}`, () => {
        item.projects.push({ name: "", amount: "", necessity: "", policy_basis: "", performance: "", remarks: "" });
        changed(true, `${path}.projects[${item.projects.length - 1}].name`);
      }),
      rowTools(table.key, i, length, "项目", true));
  }

  function tableSection(table) {
    const key = table.key;
    const list = state.sub[key];
    let body;
    const adds = [];
    if (table.kind === "work") {
      body = list.map((_, i) => workItemBlock(table, key, i, list.length));
      adds.push(addButton(`添加${title(table, "work")}`, () => {
        list.push({ category: "", work: "", budget: "", estimate: "",
          projects: [{ name: "", count: "", unit_amount: "", necessity: "", policy_basis: "", performance: "", remarks: "" }] });
        changed(true, `${key}[${list.length - 1}].category`);
      }));
    } else if (table.kind === "subsidy") {
      body = list.map((_, i) => subsidyBlock(table, i, list.length));
      adds.push(addButton("添加后补助", () => {
        list.push({ work: "", name: "", amount: "", basis: "", recipient: "", performance: "", remarks: "" });
        changed(true, `${key}[${list.length - 1}].work`);
      }));
    } else {
      body = list.map((item, i) => ("preset" in item ? presetBlock(table, i, list.length) : ownBlock(table, i, list.length)));
      adds.push(addButton("添加省局预设项目", () => {
        list.push({ preset: "", amount: "", performance: "", remarks: "" });
        changed(true, `${key}[${list.length - 1}].preset`);
      }));
      adds.push(addButton("添加自行开展的工作", () => {
        list.push({ category: "", work: table.placeholder ? table.placeholder.work : "",
          projects: [{ name: "", amount: "", necessity: "", policy_basis: "", performance: "", remarks: "" }] });
        changed(true, `${key}[${list.length - 1}].category`);
      }));
    }
    return h("section", { class: "table", id: `table-${key}`, "aria-labelledby": `table-${key}-title`, "data-path": key },
      h("h2", { id: `table-${key}-title` }, `${table.title} `, h("span", { class: "subtitle" }, table.subtitle)),
      h("p", { class: "table-total" }, "本表合计：", h("output", { id: `total-${key}` }, "0.00"), ` ${form.amount_unit}`),
      list.length ? null : h("p", { class: "empty" }, "本表没有填报内容。"),
      body,
      h("div", { class: "adds" }, adds));
  }

  function headerSection() {
    return h("section", { class: "table header", "aria-labelledby": "hdr-title" },
      h("h2", { id: "hdr-title" }, "填报单位信息"),
      h("div", { class: "fields" },
        h("div", { class: "fixed" }, h("span", { class: "fixed-label" }, form.field_titles.unit), h("p", { class: "fixed-text" }, page.unit.name)),
        field("contact.name", form.field_titles.contact_name, { autocomplete: "name" }),
        field("contact.phone", form.field_titles.contact_phone, { type: "tel", autocomplete: "tel" }),
        field("date", form.field_titles.date, { type: "date" })));
  }

  function render(focusPath, focusTool) {
    const root = document.getElementById("editor");
    root.replaceChildren(headerSection(), ...form.tables.map(tableSection));
    root.classList.toggle("read-only", state.readOnly);
    updateTotals();
    showReport(state.report);
    if (focusPath) {
      // the row itself, else the table section it belongs to (an emptied list: its 添加 button)
      const target = document.getElementById(fieldId(focusPath)) || document.querySelector(`section[data-path="${CSS.escape(focusPath)}"]`)
        || targetOf(focusPath);
      const el = target && (focusTool ? target.querySelector(`:scope > .row-tools [data-tool="${focusTool}"]:not([disabled])`) : null)
        || (target && target.matches("input, select, textarea") ? target : target && target.querySelector("input, select, textarea, button"));
      if (el) el.focus();
    }
  }

  // ------------------------------------------------------------------ live sums
  function updateTotals() {
    let grand = 0, grandOk = true;
    for (const table of form.tables) {
      let total = 0, ok = true;
      state.sub[table.key].forEach((item, i) => {
        const path = `${table.key}[${i}]`;
        if (table.kind === "work") {
          let sum = 0, sumOk = true;
          item.projects.forEach((p, pi) => {
            const n = count(p.count), c = cents(p.unit_amount);
            const product = n !== null && c !== null ? n * c : null;
            const out = document.getElementById(`${fieldId(`${path}.projects[${pi}]`)}-product`);
            if (out) say(out, product === null ? "= —" : `= ${yuan(product)} ${form.amount_unit}`);
            if (product === null) sumOk = false; else sum += product;
          });
          const b = cents(item.budget);
          const out = document.getElementById(`${fieldId(path)}-sum`);
          if (out) {
            say(out, `各项目“项目数×单项金额”之和：${sumOk ? yuan(sum) : "—"} ${form.amount_unit}`);
            out.classList.toggle("differs", sumOk && b !== null && b !== sum);
          }
          if (b === null) ok = false; else total += b;
        } else if (table.kind === "subsidy") {
          const c = cents(item.amount);
          if (c === null) ok = false; else total += c;
        } else if ("preset" in item) {
          const c = cents(item.amount);
          if (c === null) ok = false; else total += c;
        } else {
          let sum = 0, sumOk = true;
          for (const p of item.projects) {
            const c = cents(p.amount);
            if (c === null) sumOk = false; else sum += c;
          }
          const out = document.getElementById(`${fieldId(path)}-sum`);
          if (out) say(out, `本工作内容金额合计：${sumOk ? yuan(sum) : "—"} ${form.amount_unit}`);
          if (!sumOk) ok = false;
          total += sum;
        }
      });
      const out = document.getElementById(`total-${table.key}`);
      if (out) say(out, ok ? yuan(total) : `${yuan(total)}（有未填或格式不对的金额）`);
      grand += total;
      grandOk = grandOk && ok;
    }
    const g = document.getElementById("grand-total");
    if (g) say(g, yuan(grand));
  }

  // ------------------------------------------------------------------ live checking
  let checkTimer = null;
  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, CHECK_DELAY);
  }
  async function check() {
    const seq = ++state.checkSeq;
    let resp;
    try {
      resp = await api("POST", page.api.validate, toJson(state.sub));
    } catch (e) {
      if (seq !== state.checkSeq) return;
      // offline: the last result may no longer hold; checked again as soon as the connection is back
      state.checkPending = true;
      say(document.querySelector("#check-summary .verdict"), "与服务器的连接中断，暂时无法检查；恢复连接后自动重新检查。");
      document.getElementById("check-summary").classList.remove("bad");
      document.getElementById("check-list").replaceChildren();
      return;
    }
    if (seq !== state.checkSeq) return; // a newer check is under way
    state.checkPending = false;
    if (resp.status === 200) {
      state.report = resp.data;
      showReport(resp.data);
      // keystroke → message shown, including the debounce (read by bench/ and the tests' timing note)
      if (state.lastKey) document.getElementById("app").dataset.checkMs = String(Math.round(performance.now() - state.lastKey));
      document.getElementById("app").dataset.checks = String((state.checks = (state.checks || 0) + 1));
    } else {
      setStatus(`检查失败：${problemText(resp)}`, "error");
    }
  }

  /** The nearest input (or row) for a diagnostic path: drop trailing parts until one exists. */
  function targetOf(path) {
    let p = path || "";
    while (p) {
      const el = document.getElementById(fieldId(p));
      if (el) return el;
      const shorter = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
      if (shorter === p) break; // a top-level key with no input of its own
      p = shorter;
    }
    return null;
  }

  /** A message as the page shows it: no field keys ("经费安排（budget）", "name 为空"), which mean nothing to a clerk. */
  function plain(text) {
    return String(text || "").replace(/（[A-Za-z_][A-Za-z0-9_.[\]]*）/g, "").replace(/([：:]\s*)[A-Za-z_][A-Za-z0-9_]*\s+为空/g, "$1为空");
  }
  /** Where, as the clerk counts it (表（一）第1项 第2个项目 拟设置项目), then what. */
  const placed = (d) => `${d.place ? `${d.place}：` : ""}${plain(d.message)}${d.hint ? ` ${plain(d.hint)}` : ""}`;

  function showReport(report) {
    for (const el of document.querySelectorAll(".msg")) el.replaceChildren();
    for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of document.querySelectorAll(".has-msg")) el.classList.remove("has-msg");
    const summary = document.getElementById("check-summary");
    const list = document.getElementById("check-list");
    const submit = document.getElementById("submit");
    if (!report) {
      say(summary.querySelector(".verdict"), "尚未检查。");
      list.replaceChildren();
      return;
    }
    const items = [];
    report.diagnostics.forEach((d, n) => {
      const target = targetOf(d.path);
      const text = plain(d.message) + (d.hint ? ` ${plain(d.hint)}` : "");
      const level = d.severity === "error" ? "错误" : "警告";
      let link = null;
      if (target) {
        const isInput = target.matches("input, select, textarea");
        const msgBox = isInput ? document.getElementById(`${target.id}-msg`) : target.querySelector(":scope > .row-msg") ||
          target.insertBefore(h("div", { class: "msg row-msg", id: `${target.id}-msg` }), target.children[1] || null);
        msgBox.append(h("p", { class: d.severity, id: `${target.id}-msg-${n}` }, h("span", { class: "level" }, `${level}：`), text));
        msgBox.classList.add("has-msg");
        if (isInput && d.severity === "error") target.setAttribute("aria-invalid", "true");
        link = `#${target.id}`;
      }
      items.push(h("li", { class: d.severity },
        h("span", { class: "level" }, `${level}：`),
        link ? h("a", { href: link, "data-path": d.path, onclick: (ev) => { ev.preventDefault(); focusField(link.slice(1)); } }, placed(d)) : placed(d),
        d.cell ? ` （${d.cell}）` : ""));
    });
    const verdict = report.errors
      ? `发现 ${report.errors} 个错误${report.warnings ? `、${report.warnings} 个警告` : ""}，改正错误后才能提交。`
      : report.warnings ? `没有错误，有 ${report.warnings} 个警告（可以提交，建议核对）。` : "检查通过：没有错误和警告。";
    say(summary.querySelector(".verdict"), verdict);
    summary.classList.toggle("bad", report.errors > 0);
    list.replaceChildren(...items);
    if (submit) submit.disabled = state.readOnly || report.errors > 0;
  }

  function focusField(id) {
    const el = document.getElementById(id);
    if (!el) return;
    const target = el.matches("input, select, textarea") ? el : el.querySelector("input, select, textarea") || el;
    target.scrollIntoView({ block: "center" });
    target.focus();
  }

  // ------------------------------------------------------------------ saving: the working draft, versions, this browser
  // Autosave (a pause in typing) overwrites the filing's one working draft on the server: no new version.
  // A version is made on purpose: 保存, 载入 of an upload, before a download or 报送. Every write says which
  // version it is based on (base_version): if another session saved since, the server answers 412 and the
  // page shows both sides instead of overwriting a colleague's edit. This browser keeps the unsaved edits
  // (with their base version) until the server has them.
  const current = () => JSON.stringify(toJson(state.sub));
  const pendingFlag = (on) => { document.getElementById("app").dataset.pending = on ? "1" : ""; };

  function keepLocally() {
    if (state.readOnly || state.blocked) return;
    try {
      if (current() === state.serverJson) { localStorage.removeItem(DRAFT_KEY); return; }  // nothing unsaved
      localStorage.setItem(DRAFT_KEY, JSON.stringify({ sub: state.sub, at: state.editedAt || new Date().toISOString(), base: state.version }));
    } catch (e) { /* storage full or disabled: the server copy still follows */ }
  }
  let saveTimer = null;
  function scheduleSave(delay = SAVE_DELAY) {
    clearTimeout(saveTimer);
    if (state.composing) return;  // never in the middle of an input method's composition: at its end
    saveTimer = setTimeout(autosave, delay);
  }

  let saving = null;
  /** One write at a time; ``write(body)`` returns true when the server has ``body``. */
  async function serially(write) {
    while (saving) await saving;
    saving = write();
    try { return await saving; } finally { saving = null; }
  }

  async function autosave() {
    clearTimeout(saveTimer);
    if (state.readOnly || state.blocked || state.conflict) return false;
    return serially(async () => {
      const body = current();
      if (body === state.serverJson) { pendingFlag(false); return true; }
      let resp;
      try {
        resp = await api("PUT", `${page.api.draft}?base_version=${state.version}`, body, "application/json");
      } catch (e) {
        setStatus("已保存在本机；与服务器的连接中断，恢复后自动保存。", "warn");
        return false;
      }
      if (resp.status === 200) {
        state.serverJson = body;
        if (current() === body) pendingFlag(false);
        state.report = resp.data.report || state.report;
        keepLocally();
        setStatus(`已自动保存（工作草稿，基于第 ${state.version} 版，${when(resp.data.updated_at)}）。点“保存”留下新版本。`, "ok");
        return true;
      }
      return answered(resp, "自动保存");
    });
  }

  /** An explicit save: a new version (none when the bytes equal the latest), based on the version shown. */
  async function saveVersion(what = "保存") {
    clearTimeout(saveTimer);
    if (state.readOnly || state.blocked) return false;
    if (state.conflict) { setStatus("请先在上方选择如何处理别处的修改。", "warn"); return false; }
    return serially(async () => {
      const body = current();
      if (state.version && body === state.latestJson) { pendingFlag(false); return true; }
      let resp;
      try {
        resp = await api("PUT", `${page.api.filing}?base_version=${state.version}`, body, "application/json");
      } catch (e) {
        setStatus(`未能${what}：与服务器的连接中断（内容仍保存在本机）。`, "error");
        return false;
      }
      if (resp.status === 200) {
        state.version = resp.data.version;
        state.serverJson = state.latestJson = body;
        if (current() === body) pendingFlag(false);
        state.report = resp.data.report || state.report;
        if (state.status === "none") state.status = "draft";
        keepLocally();
        setStatus(resp.data.created ? `已保存为第 ${state.version} 版（${when(new Date().toISOString())}）。`
          : `内容与第 ${state.version} 版相同，未产生新版本。`, "ok");
        showStatus();
        return true;
      }
      return answered(resp, what);
    });
  }

  /** What a refused write means for the page; false (not saved). */
  async function answered(resp, what) {
    if (resp.status === 412) { await conflict(); return false; }
    if (resp.status === 409) {
      setStatus("该填报已报送，不能再修改。", "warn");
      await load();
      return false;
    }
    if (resp.status === 429) {
      const wait = Number(resp.headers.get("Retry-After") || 30);
      setStatus(`${what}太频繁，${wait} 秒后自动重试（内容仍保存在本机）。`, "warn");
      scheduleSave(wait * 1000);
      return false;
    }
    setStatus(`${what}失败：${problemText(resp)}（内容仍保存在本机）`, "error");
    return false;
  }

  /** Another session saved a version since this page's: show both sides, overwrite nothing. */
  async function conflict() {
    clearTimeout(saveTimer);
    const resp = await api("GET", page.api.filing).catch(() => null);
    const theirs = resp && resp.status === 200 ? resp.data : null;
    state.conflict = theirs || { version: "?" };
    keepLocally();  // my edits stay in this browser whatever is chosen
    const box = document.getElementById("conflict");
    box.hidden = false;
    box.querySelector(".text").textContent = theirs
      ? `另一处已修改：第 ${theirs.version} 版于 ${when(theirs.updated_at)} 在别处保存，晚于本页所依据的第 ${state.version} 版。本页的修改尚未保存到服务器。`
      : "另一处已修改：服务器上已有更新的版本。本页的修改尚未保存到服务器。";
    setStatus("另一处已修改：请在上方选择保留哪一方的内容。", "warn");
    box.querySelector(".use-theirs").onclick = async () => {
      box.hidden = true;
      state.conflict = null;
      try { localStorage.setItem(`${DRAFT_KEY}:replaced`, JSON.stringify({ sub: state.sub, at: new Date().toISOString(), base: state.version })); } catch (e) { /* a backup only */ }
      await load({ ignoreLocal: true });
      setStatus(`已载入别处保存的第 ${state.version} 版；本页原来的修改已另存在本机。`, "ok");
    };
    box.querySelector(".use-mine").onclick = async () => {
      box.hidden = true;
      const seen = state.conflict && state.conflict.version;
      state.conflict = null;
      if (Number.isInteger(seen)) state.version = seen;  // knowingly on top of theirs
      await saveVersion();
    };
    box.querySelector(".use-mine").focus();
    document.getElementById("app").dataset.conflict = "1";
  }

  window.addEventListener("online", () => {
    if (!state.readOnly) autosave();
    check();  // what the page says must be about what is in it now
  });

  /** Put text into a live region only when it differs: a screen reader speaks every write. */
  function say(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }
  function setStatus(text, kind) {
    const el = document.getElementById("save-status");
    el.dataset.kind = kind || "";
    // "正在保存……" would be spoken at every pause in typing: the busy state is shown, not announced
    el.setAttribute("aria-busy", kind === "busy" ? "true" : "false");
    if (kind !== "busy") say(el, text);
  }

  function changed(structural, focusPath, tool) {
    pendingFlag(true);
    state.editedAt = new Date().toISOString();
    if (structural) render(focusPath, tool);
    else updateTotals();
    keepLocally();
    scheduleCheck();
    scheduleSave();
  }

  const editor = document.getElementById("editor");
  editor.addEventListener("compositionstart", () => { state.composing = true; clearTimeout(saveTimer); });
  editor.addEventListener("compositionend", () => { state.composing = false; scheduleSave(); });
  document.getElementById("editor").addEventListener("input", (ev) => {
    const path = ev.target.dataset && ev.target.dataset.path;
    if (!path || state.readOnly) return;
    state.lastKey = performance.now();
    setAt(path, ev.target.value);
    // choosing a preset shows its province-written text: rebuild that row
    changed(/\.preset$/.test(path), /\.preset$/.test(path) ? path : null);
  });

  // ------------------------------------------------------------------ status, load
  function showStatus() {
    const el = document.getElementById("filing-status");
    const parts = [`状态：${STATUS[state.status] || state.status}`];
    if (state.version) parts.push(`最新版本：第 ${state.version} 版`);
    say(el.querySelector(".state"), parts.join("　"));
    const receipt = document.getElementById("receipt");
    receipt.hidden = !(state.status === "submitted" && state.submittedAt);
    if (!receipt.hidden) say(receipt, `已于 ${when(state.submittedAt)} 报送省局（第 ${state.version} 版）。如需修改，请联系省局退回。`);
    const reason = document.getElementById("return-reason");
    if (state.status !== "submitted" && state.reason) {
      reason.hidden = false;
      reason.querySelector(".text").textContent = state.reason;
    } else reason.hidden = true;
    for (const el of document.querySelectorAll(".editing-only")) el.hidden = state.readOnly;
    document.getElementById("app").dataset.status = state.status;
  }

  /** The exact JSON of a version as saved (the page's JSON keeps every amount as typed). */
  async function rawVersion(version, parsed) {
    const raw = await fetch(`${page.api.versions}/${version}`, { credentials: "same-origin" });
    if (raw.ok && (raw.headers.get("Content-Type") || "").includes("json")) {
      try { return JSON.parse(await raw.text()); } catch (e) { /* keep the parsed submission */ }
    }
    return parsed;
  }

  /** The latest version and the working draft; throws when the server cannot be read (never "empty"). */
  async function fetchServer() {
    let f = { version: 0, status: "none", submission: null, draft: null };
    if (page.hasFiling || state.version > 0) {
      const resp = await api("GET", page.api.filing);
      if (resp.status === 200) f = { ...resp.data, submission: await rawVersion(resp.data.version, resp.data.submission) };
      else if (resp.status !== 404) throw new Error(problemText(resp));
    }
    const drafted = f.draft ? f.draft.base_version === f.version : !f.version && (page.hasDraft || Boolean(state.serverJson));
    if (drafted) {
      const d = await api("GET", page.api.draft);
      if (d.status === 200 && d.data.base_version === f.version) f = { ...f, working: d.data };
      else if (d.status !== 200 && d.status !== 404) throw new Error(problemText(d));
    }
    return f;
  }

  function blocked(message) {
    // a failed read must never become a blank form saved over the server's: read-only until it is read
    state.blocked = true;
    state.readOnly = true;
    state.sub = normalise(null);
    render();
    const box = document.getElementById("load-failed");
    box.hidden = false;
    box.querySelector(".text").textContent = `无法从服务器读取本单位的填报（${message}）。为免覆盖服务器上的内容，页面暂为只读。`;
    box.querySelector("button").onclick = () => { box.hidden = true; load(); };
    box.querySelector("button").focus();
    setStatus("未能读取，页面只读。", "error");
    document.getElementById("app").dataset.ready = "1";
  }

  async function load(opts = {}) {
    let server;
    try {
      server = await fetchServer();
    } catch (e) {
      blocked(e.message === "Failed to fetch" ? "连接中断" : e.message);
      return;
    }
    state.blocked = false;
    document.getElementById("load-failed").hidden = true;
    document.getElementById("conflict").hidden = true;
    state.conflict = null;
    document.getElementById("app").dataset.conflict = "";
    state.status = server.status || "none";
    state.version = server.version || 0;
    state.reason = server.returned ? server.returned.reason || "" : "";
    state.submittedAt = server.submitted_at || null;
    state.readOnly = page.readOnly || state.status === "submitted";
    state.sub = normalise(server.submission);
    state.latestJson = server.submission ? current() : "";
    state.report = server.report || null;
    if (server.working && !state.readOnly) {
      // the working draft autosaved on top of this version: what the clerk was typing
      state.sub = normalise(server.working.submission);
      state.report = server.working.report || state.report;
    }
    state.serverJson = server.working ? current() : state.latestJson;
    pendingFlag(false);
    let local = null;
    try { local = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null"); } catch (e) { local = null; }
    const offer = document.getElementById("draft-offer");
    offer.hidden = true;
    if (!opts.ignoreLocal && !state.readOnly && local && local.sub) {
      const localJson = JSON.stringify(toJson(normalise(local.sub)));
      if (localJson === state.serverJson) {
        localStorage.removeItem(DRAFT_KEY);  // the server has it: nothing to offer
      } else if (!state.version && !server.working) {
        state.sub = normalise(local.sub);  // nothing on the server yet: take what was typed here
      } else {
        // unsaved edits of this browser; said against which version they were made
        offer.hidden = false;
        offer.querySelector(".when").textContent = when(local.at);
        offer.querySelector(".basis").textContent = local.base === state.version
          ? `基于第 ${local.base} 版，尚未保存到服务器`
          : `基于第 ${local.base || 0} 版；服务器上已有别处保存的第 ${state.version} 版`;
        offer.querySelector(".use-local").onclick = () => {
          state.sub = normalise(local.sub);
          offer.hidden = true;
          render();
          changed(false);
        };
        offer.querySelector(".use-server").onclick = () => {
          offer.hidden = true;
          localStorage.removeItem(DRAFT_KEY);
        };
      }
    }
    render();
    showStatus();
    if (state.readOnly) setStatus(state.status === "submitted" ? "已提交，页面只读。" : "只读。", "ok");
    else if (server.working) setStatus(`已载入自动保存的工作草稿（基于第 ${state.version} 版，${when(server.working.updated_at)}）。`, "ok");
    else if (state.version) setStatus(`已从服务器载入第 ${state.version} 版。`, "ok");
    if (!state.readOnly && current() !== state.serverJson) {
      pendingFlag(true);
      scheduleSave();
    }
    check();
    document.getElementById("app").dataset.ready = "1";
  }

  // ------------------------------------------------------------------ preview, downloads, upload, submit
  async function preview() {
    const box = document.getElementById("preview");
    const note = document.getElementById("preview-note");
    note.textContent = "正在生成预览……";
    const started = performance.now();
    await check();
    if (state.report && state.report.errors) {
      note.textContent = "有错误，无法预览：请先改正上方列出的错误。";
      return;
    }
    const resp = await api("POST", page.api.preview, toJson(state.sub));
    if (resp.status === 200) {
      const frame = h("iframe", { title: "填报材料预览（与 PDF 同一模板）", sandbox: "", class: "preview-frame" });
      frame.srcdoc = resp.data;
      box.replaceChildren(frame);
      box.hidden = false;
      note.textContent = `预览已生成（${Math.round(performance.now() - started)} 毫秒）。打印版式以 PDF 为准。`;
      document.getElementById("app").dataset.previewMs = String(Math.round(performance.now() - started));
    } else if (resp.status === 422) {
      state.report = resp.data;
      showReport(resp.data);
      note.textContent = "有错误，无法预览：请先改正上方列出的错误。";
    } else note.textContent = `预览失败：${problemText(resp)}`;
  }

  /** A download link: the file of the latest saved version, so what was typed is saved first. */
  async function download(ev) {
    const a = ev.currentTarget;
    // the files are made from the latest version: what the page shows (perhaps only autosaved) is saved first
    const unsaved = !state.readOnly && !state.blocked && current() !== state.latestJson;
    if (!unsaved && !(state.report && state.report.errors)) return; // the browser downloads it
    ev.preventDefault();
    if (unsaved && !(await saveVersion("生成文件"))) return;
    if (state.report && state.report.errors) {
      document.getElementById("preview-note").textContent = "有错误，无法生成文件：请先改正上方列出的错误。";
      return;
    }
    window.location.assign(a.getAttribute("href"));
  }

  async function upload(ev) {
    const input = ev.target;
    const file = input.files && input.files[0];
    const out = document.getElementById("upload-result");
    if (!file) return;
    out.replaceChildren(h("p", {}, `正在检查 ${file.name}……`));
    const body = new FormData();
    body.append("file", file, file.name);
    const resp = await api("POST", page.api.import, body);
    if (resp.status !== 200) {
      out.replaceChildren(h("p", { class: "error" }, `无法读取 ${file.name}：${problemText(resp)}`));
      return;
    }
    const { report, submission } = resp.data;
    const rows = report.diagnostics.map((d) => h("li", { class: d.severity },
      h("span", { class: "where" }, d.cell ? `${d.cell}` : d.line ? `第 ${d.line} 行` : file.name), "：",
      `${d.severity === "error" ? "错误" : "警告"} ${placed(d)}`));
    const verdict = report.errors ? `${file.name}：发现 ${report.errors} 个错误${report.warnings ? `、${report.warnings} 个警告` : ""}。`
      : `${file.name}：没有错误${report.warnings ? `，有 ${report.warnings} 个警告` : ""}。`;
    const loadBtn = submission && !state.readOnly ? h("button", {
      type: "button", class: "add", id: "upload-load",
      onclick: () => {
        const before = snapshot();
        const sub = normalise(submission);
        sub.unit = page.unit.name; sub.unit_kind = page.unit.kind;
        if (page.unit.city) sub.city = page.unit.city;
        state.sub = sub;
        // the sheet/cell list stays: the clerk fixes the workbook's cells from it
        document.getElementById("upload-load").replaceWith(h("p", { class: "ok" },
          `已将 ${file.name} 的内容载入页面${report.errors ? "（请按上面列出的单元格改正错误）" : ""}。`));
        changed(true);
        offerUndo(`已用 ${file.name} 替换页面内容。`, before);
        saveVersion("保存上传的内容");  // an upload loaded into the page is a version of its own
      },
    }, "载入到页面（替换当前内容）") : null;
    out.replaceChildren(...[h("p", { class: report.errors ? "error" : "ok" }, verdict),
      rows.length ? h("ul", { class: "upload-list" }, rows) : null, loadBtn].filter(Boolean));
    input.value = "";
  }

  /** Resolves true when the clerk confirms in the page's dialog (keyboard: Esc cancels). */
  function confirmSubmit() {
    const dialog = document.getElementById("submit-dialog");
    dialog.querySelector(".version").textContent = `第 ${state.version} 版`;
    dialog.querySelector(".total").textContent = document.getElementById("grand-total").textContent;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "submit"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
      dialog.querySelector("button[value='cancel']").focus();  // the safe choice first
    });
  }

  async function submit() {
    const note = document.getElementById("submit-note");
    if (!(await saveVersion("报送前保存"))) { note.textContent = "未能保存到服务器，暂不能提交。"; return; }
    await check();
    if (state.report && state.report.errors) { note.textContent = "还有错误，不能提交。"; return; }
    if (!(await confirmSubmit())) { note.textContent = "未报送。"; document.getElementById("submit").focus(); return; }
    let resp;
    // only the version the clerk reviewed in the dialog: if another session saved since, 412, nothing sent
    try { resp = await api("POST", `${page.api.submit}?version=${state.version}`); } catch (e) { note.textContent = "与服务器的连接中断，未能报送；恢复连接后请再点“报送省局”。"; return; }
    if (resp.status === 200) {
      note.textContent = `已于 ${when(resp.data.submitted_at || new Date().toISOString())} 报送省局（第 ${resp.data.version} 版）。`;
      localStorage.removeItem(DRAFT_KEY);
      await load();
    } else if (resp.status === 422) {
      state.report = resp.data;
      showReport(resp.data);
      note.textContent = "还有错误，不能提交。";
    } else if (resp.status === 412) {
      note.textContent = "未报送：另一处刚保存了新的版本。";
      await conflict();
    } else note.textContent = `提交失败：${problemText(resp)}`;
  }

  const bind = (id, ev, fn) => { const el = document.getElementById(id); if (el) el.addEventListener(ev, fn); };
  bind("preview-button", "click", preview);
  bind("upload-file", "change", upload);
  bind("submit", "click", submit);
  for (const a of document.querySelectorAll("a.download")) a.addEventListener("click", download);
  bind("save-version", "click", () => saveVersion());
  // leaving the page keeps unsaved edits only (an untouched page stamps nothing)
  window.addEventListener("pagehide", () => { keepLocally(); });

  load();
})();
