/* docgen web app: the filing page — the form's tables built from its definition alone (docgen/web/formdata.py),
   live sums and computed columns, live checks, drafts, preview, upload and submit. Plain JavaScript, no build
   step; all requests go to this server. Nothing here knows a table or a column of any one form. */
"use strict";
(function () {
  const { api, h, problemText, STATUS, when, expr } = window.docgen;
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const form = page.form;
  expr.configure(form.limits);
  // a submission names its form by id (a year's id is a number in the file, as `form: 2024`)
  const FORM_VALUE = /^\d+$/.test(form.id) ? Number(form.id) : form.id;
  const PRESET = form.preset_key;
  const DRAFT_KEY = `docgen:draft:${form.id}:${page.unit.id}`;
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
    live: [], // the page's own findings (a failed check, a division by zero), shown beside the server's
  };

  // ------------------------------------------------------------------ the form's shape
  const levelsOf = (table) => (table.level.child ? [table.level, table.level.child] : [table.level]);
  const columnsOf = (table) => levelsOf(table).flatMap((l) => l.columns);
  const columnOf = (table, key) => columnsOf(table).find((c) => c.key === key) || null;
  const TYPED = new Set(["amount", "count", "date"]); // left out of the JSON when empty, so validate names them missing
  const isRow = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isPreset = (table, row) => table.presets.length > 0 && isRow(row) && PRESET in row;
  const rowsOf = (row, key) => (isRow(row) && Array.isArray(row[key]) ? row[key] : []);
  /** The columns a preset leaves open: every entered column of every level but the ones it fixes. */
  const openColumns = (table) => columnsOf(table).filter((c) => c.entered && !table.preset_fixes.includes(c.key));
  /** 第2项 …: how the form counts a row of a level (its `word`: 项, 行, 个项目, 条明细). */
  const nth = (level, i) => `第${i + 1}${level.word}`;
  const rowPlace = (table, i) => `${table.label}${nth(table.level, i)}`;
  const subPlace = (table, i, j) => `${rowPlace(table, i)} ${nth(table.level.child, j)}`;
  /** 添加一项, 添加一个项目, 添加一条明细: one more row of a level, in the form's word for it. */
  const oneMore = (level) => `添加一${level.word}`;

  // ------------------------------------------------------------------ the submission
  function blankRow(level, prefill = {}) {
    const row = {};
    for (const c of level.columns) if (c.entered) row[c.key] = prefill[c.key] || "";
    if (level.child) row[level.child.key] = Array.from({ length: Math.max(level.child.min, 1) }, () => blankRow(level.child));
    return row;
  }
  function blankPreset(table) {
    return { [PRESET]: "", ...Object.fromEntries(openColumns(table).map((c) => [c.key, ""])) };
  }
  function blankSubmission() {
    return {
      form: FORM_VALUE, unit: page.unit.name, unit_kind: page.unit.kind, ...(page.unit.city ? { city: page.unit.city } : {}),
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
    out.form = Number(out.form) || out.form || FORM_VALUE;
    for (const table of form.tables) {
      for (const row of out[table.key]) {
        if (!isPreset(table, row)) continue;
        const p = presetOf(table, row[PRESET]);
        if (p) row[PRESET] = p.label;
      }
    }
    return out;
  }
  /** The model → the JSON sent to the service (empty amounts, counts and dates left out). */
  function toJson(sub) {
    const walk = (v) => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const row = (columns, child, v) => {
      if (!isRow(v)) return walk(v);
      const o = {};
      for (const [k, x] of Object.entries(v)) {
        const c = columns.find((col) => col.key === k);
        if (c && TYPED.has(c.type) && String(x).trim() === "") continue;
        o[k] = child && k === child.key && Array.isArray(x) ? x.map((r) => row(child.columns, null, r)) : walk(x);
      }
      return o;
    };
    const out = walk(sub);
    for (const table of form.tables) {
      const list = sub[table.key];
      if (!Array.isArray(list)) continue;
      out[table.key] = list.map((r) => (isPreset(table, r) ? row(columnsOf(table), null, r)
        : row(table.level.columns, table.level.child, r)));
    }
    out.form = FORM_VALUE;
    return out;
  }
  const squash = (t) => String(t).replace(/\s+/g, "");
  function presetOf(table, nameOrId) {
    return table.presets.find((p) => p.id === nameOrId || squash(p.label) === squash(nameOrId)) || null;
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
  /** One field of a column, by its type: a list to choose from, a number, a date, a text. */
  function field(path, label, column, opts = {}) {
    const id = fieldId(path);
    const value = asText(getAt(path));
    const type = column ? column.type : "text";
    const numeric = type === "amount" || type === "count";
    const multiline = !opts.choices && type === "text" && !(column && column.unique) && !opts.single;
    const common = {
      // described by where it is (the legends of its row and sub-row: 表（一）第1项 第2个项目), then its messages
      id, name: path, "data-path": path, "aria-describedby": [...(opts.where || []), `${id}-msg`].join(" "),
      readonly: state.readOnly, class: numeric ? "num" : null,
    };
    let input;
    if (opts.choices || type === "choice") {
      const choices = opts.choices || column.choices.map((c) => ({ value: c, text: c }));
      const known = choices.flatMap((c) => (c.group ? c.options : [c])).some((o) => o.value === value);
      const option = (o) => h("option", { value: o.value, selected: o.value === value }, o.text);
      input = h("select", { ...common, disabled: state.readOnly, readonly: null },
        h("option", { value: "" }, "（请选择）"),
        // a value from a file that is none of the choices stays visible (the check names it)
        value && !known ? h("option", { value, selected: true }, value) : null,
        ...choices.map((c) => (c.group ? h("optgroup", { label: c.group }, ...c.options.map(option)) : option(c))));
      input.value = value;
    } else if (multiline) {
      input = h("textarea", { ...common, rows: 2, placeholder: column && column.placeholder[0] ? `例：${column.placeholder[0]}` : null });
      input.value = value;
    } else {
      input = h("input", {
        ...common, type: type === "date" ? "date" : opts.type || "text", value,
        inputmode: numeric ? (type === "count" ? "numeric" : "decimal") : null, autocomplete: opts.autocomplete || "off",
      });
    }
    return h("div", { class: "field" + (multiline ? " wide" : "") + (numeric ? " short" : "") },
      h("label", { for: id }, label),
      input,
      opts.after || null,
      h("div", { class: "msg", id: `${id}-msg` }));
  }

  /** A computed column: worked out live from the row, never typed. */
  function computedField(path, column, where = []) {
    const id = fieldId(path);
    return h("div", { class: "field short computed" },
      h("label", { for: id }, column.label),
      h("output", { id, class: "product", tabindex: "-1", "data-computed": path, "aria-live": "off",
        "aria-describedby": [...where, `${id}-msg`].join(" ") }, "= —"),
      h("div", { class: "msg", id: `${id}-msg` }));
  }

  /** The fields of one row of a level: a field per entered column, an output per computed one. */
  function levelFields(path, columns, where) {
    return columns.map((c) => {
      if (c.type === "computed") return computedField(`${path}.${c.key}`, c, where);
      if (!c.entered) return null; // 序号 and printed-only columns: never typed
      const after = c.check && c.check.other ? h("output", { class: "sum", id: `${fieldId(`${path}.${c.key}`)}-sum` }) : null;
      return field(`${path}.${c.key}`, c.label, c, { after, where });
    });
  }

  function rowTools(listPath, index, length, place) {
    if (state.readOnly) return null;
    const move = (delta) => () => {
      const list = getAt(listPath);
      const [row] = list.splice(index, 1);
      list.splice(index + delta, 0, row);
      changed(true, `${listPath}[${index + delta}]`, delta < 0 ? "up" : "down");
    };
    return h("div", { class: "row-tools" },
      h("button", { type: "button", class: "tool", "data-tool": "up", disabled: index === 0, "aria-label": `上移${place}`, onclick: move(-1) }, "上移"),
      h("button", { type: "button", class: "tool", "data-tool": "down", disabled: index === length - 1, "aria-label": `下移${place}`, onclick: move(1) }, "下移"),
      h("button", {
        type: "button", class: "tool danger", "data-tool": "remove", "aria-label": `删除${place}`,
        onclick: () => {
          const before = snapshot();
          const list = getAt(listPath);
          list.splice(index, 1);
          // focus stays on the row that took its place (or the one above), never the top of the page
          const next = list.length ? `${listPath}[${Math.min(index, list.length - 1)}]` : listPath;
          changed(true, next, list.length ? "remove" : null);
          offerUndo(`已删除${place}。`, before, `${listPath}[${index}]`);
        },
      }, "删除"));
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

  /** Beside a row with sub-rows and no summed column of its own: the sum of its sub-rows' summed columns. */
  function childSums(table, path) {
    const child = table.level.child;
    if (!child || table.level.columns.some((c) => c.total)) return null;
    const summed = child.columns.filter((c) => c.total);
    return summed.length ? h("output", { class: "sum wide", id: `${fieldId(path)}-sum` }) : null;
  }

  /** A row of the unit's own: its level's fields, then its sub-rows (each with its fields), add and tools. */
  function rowBlock(table, i, length) {
    const path = `${table.key}[${i}]`;
    const row = getAt(path);
    const level = table.level;
    const child = level.child;
    if (!isRow(row)) {
      return h("fieldset", { class: "item", id: fieldId(path), "data-path": path },
        h("legend", {}, rowPlace(table, i)),
        h("p", { class: "hint" }, `此行不是表格的一行（现为“${asText(row).slice(0, 40)}”），请删除。`),
        rowTools(table.key, i, length, rowPlace(table, i)));
    }
    const subs = child ? rowsOf(row, child.key) : [];
    return h("fieldset", { class: "item", id: fieldId(path), "data-path": path },
      h("legend", { id: `${fieldId(path)}-where` }, rowPlace(table, i)),
      h("div", { class: "fields" }, levelFields(path, level.columns, [`${fieldId(path)}-where`]), childSums(table, path)),
      child ? h("div", { class: "sub-rows", id: fieldId(`${path}.${child.key}`) },
        subs.map((_, j) => subRowBlock(table, i, j, subs.length))) : null,
      child ? addButton(`在${rowPlace(table, i)}下${oneMore(child)}`, () => {
        if (!Array.isArray(row[child.key])) row[child.key] = [];
        row[child.key].push(blankRow(child));
        changed(true, `${path}.${child.key}[${row[child.key].length - 1}]`);
      }) : null,
      rowTools(table.key, i, length, rowPlace(table, i)));
  }

  function subRowBlock(table, i, j, length) {
    const child = table.level.child;
    const list = `${table.key}[${i}].${child.key}`;
    const path = `${list}[${j}]`;
    if (!isRow(getAt(path))) {
      return h("fieldset", { class: "sub-row", id: fieldId(path), "data-path": path },
        h("legend", {}, nth(child, j)),
        h("p", { class: "hint" }, "此行不是表格的一行，请删除。"),
        rowTools(list, j, length, subPlace(table, i, j)));
    }
    return h("fieldset", { class: "sub-row", id: fieldId(path), "data-path": path },
      h("legend", { id: `${fieldId(path)}-where` }, nth(child, j)),
      h("div", { class: "fields" }, levelFields(path, child.columns, [`${fieldId(`${table.key}[${i}]`)}-where`, `${fieldId(path)}-where`])),
      rowTools(list, j, length, subPlace(table, i, j)));
  }

  /** A row naming one of the province's presets: chosen from the list; what it fixes shown, not typed. */
  function presetBlock(table, i, length) {
    const path = `${table.key}[${i}]`;
    const row = getAt(path);
    const preset = presetOf(table, row[PRESET]);
    const option = (p) => ({ value: p.label, text: p.label });
    let choices = table.presets.map(option);
    if (table.preset_by) {
      const by = columnOf(table, table.preset_by);
      const groups = [...new Set([...(by && by.choices ? by.choices : []), ...table.presets.map((p) => p.values[table.preset_by] || "")])];
      choices = groups.map((g) => ({ group: g || "其他", options: table.presets.filter((p) => (p.values[table.preset_by] || "") === g).map(option) }))
        .filter((g) => g.options.length);
    }
    const fixed = (key, value) => {
      const column = columnOf(table, key);
      const wide = !(column && column.type === "choice");
      return h("div", { class: "fixed" + (wide ? " wide" : "") },
        h("span", { class: "fixed-label", id: `${fieldId(path)}-${key}-label` }, column ? column.title : key),
        h("p", { class: "fixed-text", "aria-labelledby": `${fieldId(path)}-${key}-label` }, value || "—"));
    };
    const open = openColumns(table);
    const where = [`${fieldId(path)}-where`];
    return h("fieldset", { class: "item preset", id: fieldId(path), "data-path": path },
      h("legend", { id: `${fieldId(path)}-where` }, `${rowPlace(table, i)}（省局预设项目）`),
      h("div", { class: "fields" },
        field(`${path}.${PRESET}`, table.preset_label, null, { choices, where }),
        preset ? [
          ...table.preset_fixes.filter((k) => k !== table.preset_named).map((k) => fixed(k, preset.values[k])),
          // what the province wrote in a column the unit fills (备注): shown as a hint
          ...Object.entries(preset.values).filter(([k, v]) => v && !table.preset_fixes.includes(k))
            .map(([k, v]) => h("p", { class: "hint wide" }, `省局${(columnOf(table, k) || { short: k }).short}：${v}`)),
        ] : h("p", { class: "hint wide" }, `请选择省局预设的项目，其${table.preset_fixes.filter((k) => k !== table.preset_named)
          .map((k) => (columnOf(table, k) || { short: k }).short).join("、")}由省局填写。`),
        open.map((c) => (c.type === "computed" ? computedField(`${path}.${c.key}`, c, where) : field(`${path}.${c.key}`, c.label, c, { where })))),
      rowTools(table.key, i, length, rowPlace(table, i)));
  }

  function tableSection(table) {
    const key = table.key;
    const list = state.sub[key];
    const body = list.map((row, i) => (isPreset(table, row) ? presetBlock(table, i, list.length) : rowBlock(table, i, list.length)));
    const adds = [];
    if (table.presets.length) {
      adds.push(addButton(`在${table.label}添加省局预设项目`, () => {
        list.push(blankPreset(table));
        changed(true, `${key}[${list.length - 1}]`);
      }));
    }
    adds.push(addButton(`在${table.label}${oneMore(table.level)}`, () => {
      list.push(blankRow(table.level, table.prefill));
      changed(true, `${key}[${list.length - 1}]`);
    }));
    const unit = (c) => (c.type === "count" ? "" : ` ${form.amount_unit}`);
    const main = table.total;
    return h("section", { class: "table", id: `table-${key}`, "aria-labelledby": `table-${key}-title`, "data-path": key },
      // the form's title of the table, with its 表（一） when the title does not carry it
      h("h2", { id: `table-${key}-title` }, `${table.title.includes(`（${table.number}）`) ? "" : `${table.label} `}${table.title} `,
        h("span", { class: "subtitle" }, table.subtitle)),
      main ? h("p", { class: "table-total" }, "本表合计：", h("output", { id: `total-${key}` }, "0.00"), unit(main)) : null,
      table.totals.length > 1 ? h("p", { class: "column-totals" }, "各列合计：", table.totals.flatMap((c, n) => [n ? "；" : "",
        `${c.title} `, h("output", { id: totalId(table, c) }, "0.00"), unit(c)])) : null,
      list.length ? null : h("p", { class: "empty" }, "本表没有填报内容。"),
      body,
      h("div", { class: "adds" }, adds));
  }
  const totalId = (table, c) => `total-${table.key}-${c.level ? `${c.level}-` : ""}${c.key}`;

  function headerSection() {
    return h("section", { class: "table header", "aria-labelledby": "hdr-title" },
      h("h2", { id: "hdr-title" }, "填报单位信息"),
      h("div", { class: "fields" },
        h("div", { class: "fixed" }, h("span", { class: "fixed-label" }, form.header.unit), h("p", { class: "fixed-text" }, page.unit.name)),
        field("contact.name", form.header.contact_name, null, { single: true, autocomplete: "name" }),
        field("contact.phone", form.header.contact_phone, null, { single: true, type: "tel", autocomplete: "tel" }),
        field("date", form.header.date, null, { single: true, type: "date" })));
  }

  function render(focusPath, focusTool) {
    const root = document.getElementById("editor");
    root.replaceChildren(headerSection(), ...form.tables.map(tableSection));
    root.classList.toggle("read-only", state.readOnly);
    updateLive();
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

  // ------------------------------------------------------------------ live sums, computed columns and checks
  // Every value is read by the checker's rule and every expression worked out on exact decimals
  // (static/expression.js), the same tree validate works out: the page never shows a sum validate refuses.
  function read(column, text) {
    if (column.type === "amount") return expr.amount(text);
    if (column.type === "count") return expr.count(text);
    return null;
  }
  /** A row's scope for the expressions: its level's columns (a preset row: every level's, flattened). */
  function scopeOf(columns, row, child) {
    const byKey = new Map(columns.map((c) => [c.key, c]));
    return {
      value: (k) => (byKey.has(k) && isRow(row) ? read(byKey.get(k), row[k]) : null),
      formula: (k) => (byKey.has(k) ? byKey.get(k).formula : null),
      children: (rows) => (child && child.key === rows ? rowsOf(row, rows).map((r) => scopeOf(child.columns, r, child.child)) : []),
    };
  }
  const money = (v) => `${expr.fixed2(v)}`;
  const valueText = (c, v) => (v === null ? "—" : c.money ? money(v) : expr.plain(v));
  function valueOf(column, scope) {
    return column.formula ? expr.evaluate(column.formula, scope) : scope.value(column.key);
  }

  /** The computed outputs, check lines and messages of one row; its summed columns into `sums`. */
  function liveRow(table, columns, child, row, path, sums, preset) {
    const scope = scopeOf(columns, row, child);
    for (const c of columns) {
      const at = `${path}.${c.key}`;
      if (c.type === "computed") {
        const problems = [];
        const v = expr.evaluate(c.formula, scope, problems);
        const out = document.getElementById(fieldId(at));
        if (out) say(out, v === null ? "= —" : `= ${valueText(c, v)}${c.money ? ` ${form.amount_unit}` : ""}`);
        if (c.zero) {
          const zero = problems.some((p) => p.code === "division-by-zero");
          state.live.push({ box: `${fieldId(at)}-msg`, code: c.zero.code, text: zero ? said(c.zero.message, c.zero.hint) : "" });
        }
      }
      if (c.check && !preset) {
        const holds = expr.evaluate(c.check.expr, scope);
        const text = holds === false ? said(expr.fill(c.check.message, scope), expr.fill(c.check.hint, scope)) : "";
        state.live.push({ box: `${fieldId(at)}-msg`, code: c.check.code, text });
        const out = document.getElementById(`${fieldId(at)}-sum`);
        if (out && c.check.other) {
          const v = expr.evaluate(c.check.other, scope);
          say(out, `${c.check.other_words}：${valueText(c, v)}${c.money ? ` ${form.amount_unit}` : ""}`);
          out.classList.toggle("differs", holds === false);
        }
      }
      if (c.total && sums.has(c)) {
        const v = valueOf(c, scope);
        const s = sums.get(c);
        if (v === null) s.ok = false; else s.sum = expr.add(s.sum, v);
      }
    }
    return scope;
  }

  function updateLive() {
    state.live = [];
    let grand = expr.dec(0n);
    for (const table of form.tables) {
      const summed = columnsOf(table).filter((c) => c.total);
      const sums = new Map(summed.map((c) => [c, { sum: expr.dec(0n), ok: true }]));
      const level = table.level;
      const child = level.child;
      (state.sub[table.key] || []).forEach((row, i) => {
        const path = `${table.key}[${i}]`;
        if (!isRow(row)) return;
        if (isPreset(table, row)) {
          liveRow(table, columnsOf(table), null, row, path, sums, true);
          return;
        }
        liveRow(table, level.columns, child, row, path, sums, false);
        if (!child) return;
        const mine = new Map(child.columns.filter((c) => c.total).map((c) => [c, { sum: expr.dec(0n), ok: true }]));
        rowsOf(row, child.key).forEach((sub, j) => {
          if (!isRow(sub)) return;
          const own = liveRow(table, child.columns, child.child, sub, `${path}.${child.key}[${j}]`, sums, false);
          for (const [c, s] of mine) {
            const v = valueOf(c, own);
            if (v === null) s.ok = false; else s.sum = expr.add(s.sum, v);
          }
        });
        const out = document.getElementById(`${fieldId(path)}-sum`);
        if (out && mine.size) {
          say(out, [...mine].map(([c, s]) => `各${child.word.replace(/^个/, "")}${c.short}之和：${s.ok ? valueText(c, s.sum) : "—"}${c.type === "count" ? "" : ` ${form.amount_unit}`}`).join("；"));
        }
      });
      for (const [c, s] of sums) {
        const out = document.getElementById(totalId(table, { key: c.key, level: levelKeyOf(table, c) }));
        if (out) say(out, totalText(c, s));
      }
      const main = table.total && summed.find((c) => c.key === table.total.key && levelKeyOf(table, c) === table.total.level);
      if (main) {
        const s = sums.get(main);
        say(document.getElementById(`total-${table.key}`), totalText(main, s));
        if (main.money) grand = expr.add(grand, s.sum);
      }
    }
    const g = document.getElementById("grand-total");
    if (g) say(g, money(grand));
    applyLive();
  }
  const levelKeyOf = (table, c) => (table.level.columns.includes(c) ? table.level.key : table.level.child.key);
  const totalText = (c, s) => (s.ok ? valueText(c, s.sum) : `${valueText(c, s.sum)}（有未填或格式不对的${c.type === "count" ? "数" : "金额"}）`);
  const said = (message, hint) => plain(message) + (hint ? ` ${plain(hint)}` : "");

  /** The page's own findings beside the server's: one message per check and row, always for what is typed now
      (the server's, of the same code, is brought up to date; a check that holds again takes its message away). */
  function applyLive() {
    for (const { box, code, text } of state.live) {
      const msgBox = document.getElementById(box);
      if (!msgBox) continue;
      const found = [...msgBox.querySelectorAll(`:scope > p[data-code="${CSS.escape(code)}"]`)];
      if (text) {
        if (found.length) {
          const last = found[0].lastChild;
          if (last && last.nodeType === Node.TEXT_NODE) { if (last.textContent !== text) last.textContent = text; }
          else found[0].append(text);
          found.slice(1).forEach((p) => p.remove());
        } else {
          msgBox.append(h("p", { class: "error live", "data-code": code }, h("span", { class: "level" }, "错误："), text));
        }
      } else found.forEach((p) => p.remove());
      const target = document.getElementById(box.replace(/-msg$/, ""));
      const bad = msgBox.querySelector(":scope > p.error") !== null;
      msgBox.classList.toggle("has-msg", msgBox.children.length > 0);
      if (target && target.matches("input, select, textarea")) {
        if (bad) target.setAttribute("aria-invalid", "true"); else target.removeAttribute("aria-invalid");
      }
    }
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
      applyLive();
      return;
    }
    const items = [];
    report.diagnostics.forEach((d, n) => {
      const target = targetOf(d.path);
      const text = plain(d.message) + (d.hint ? ` ${plain(d.hint)}` : "");
      const level = d.severity === "error" ? "错误" : "警告";
      let link = null;
      if (target) {
        const isInput = target.matches("input, select, textarea, output");
        const msgBox = isInput ? document.getElementById(`${target.id}-msg`) : target.querySelector(":scope > .row-msg") ||
          target.insertBefore(h("div", { class: "msg row-msg", id: `${target.id}-msg` }), target.children[1] || null);
        msgBox.append(h("p", { class: d.severity, id: `${target.id}-msg-${n}`, "data-code": d.code },
          h("span", { class: "level" }, `${level}：`), text));
        msgBox.classList.add("has-msg");
        if (isInput && d.severity === "error" && !target.matches("output")) target.setAttribute("aria-invalid", "true");
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
    applyLive();  // what the page works out itself is about what is typed now
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
    else updateLive();
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
