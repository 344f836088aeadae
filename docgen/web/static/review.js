/* docgen web app: the province's view of one filing — its versions and returning it with a reason. */
"use strict";
(function () {
  const { api, h, problemText, when } = window.docgen;
  const page = JSON.parse(document.getElementById("page-data").textContent);

  async function loadVersions() {
    const body = document.querySelector("#versions tbody");
    // a unit that never saved has no versions to ask for (the 404 was only a console error)
    if (!page.hasFiling) { body.replaceChildren(h("tr", {}, h("td", { colspan: 6 }, "尚无保存的版本。"))); return; }
    const resp = await api("GET", page.api.versions);
    if (resp.status !== 200) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 6 }, resp.status === 404 ? "尚无保存的版本。" : problemText(resp))));
      return;
    }
    const rows = resp.data.versions || [];
    body.replaceChildren(...rows.slice().reverse().map((v) => h("tr", {},
      h("td", { class: "c" }, `第 ${v.number} 版`),
      h("td", { class: "c" }, when(v.time)),
      h("td", {}, v.who),
      h("td", {}, h("a", { href: `${page.api.versions}/${v.number}`, download: v.filename }, v.filename)),
      h("td", { class: "c" }, v.valid ? "无错误" : "有错误"),
      h("td", { class: "hash" }, v.sha256))));
  }

  document.getElementById("return-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const note = document.getElementById("return-note");
    const reason = document.getElementById("return-text").value.trim();
    if (!reason) { note.textContent = "请写明退回原因。"; document.getElementById("return-text").focus(); return; }
    const resp = await api("POST", page.api.return, { reason });
    if (resp.status === 200) {
      note.textContent = `已退回：${resp.data.reason}`;
      document.getElementById("app").dataset.returned = "1";
      const s = document.querySelector("#filing-status .state");
      if (s) s.textContent = "状态：已退回修改";
    } else note.textContent = `退回失败：${problemText(resp)}`;
  });
  loadVersions();
})();
