/* docgen web app: what every page shares (CSRF header on state-changing requests, JSON fetch). */
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  /** fetch with the session cookie; state-changing methods carry the page's CSRF token. */
  async function api(method, url, body, type) {
    const headers = { Accept: "application/json" };
    if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrf;
    let payload = body;
    if (body !== undefined && !(body instanceof FormData) && typeof body !== "string") {
      payload = JSON.stringify(body);
      type = type || "application/json";
    }
    if (type) headers["Content-Type"] = type;
    // never from the browser's HTTP cache: a filing's state (its working draft above all) changes under one ETag
    const resp = await fetch(url, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
    let data = null;
    const ct = resp.headers.get("Content-Type") || "";
    if (ct.includes("json")) data = await resp.json();
    else data = await resp.text();
    return { status: resp.status, ok: resp.ok, data, headers: resp.headers };
  }

  /** Element builder: h("p", {class: "x"}, "text", child…). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /** A problem document's or an error's Chinese text. */
  function problemText(resp) {
    const d = resp.data;
    if (d && typeof d === "object" && d.detail) return typeof d.detail === "string" ? d.detail : JSON.stringify(d.detail);
    return `服务器返回 ${resp.status}`;
  }

  const STATUS = { none: "未填报", draft: "草稿", submitted: "已提交", returned: "已退回修改" };

  function when(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  window.docgen = { api, h, problemText, STATUS, when, csrf };
})();
