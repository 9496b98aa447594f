// Console behaviour kept out of the pages, so the Content-Security-Policy can forbid inline script.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (a <noscript> button remains).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // data-width="42.5": a bar's width in percent (style attributes are not allowed by the policy).
  document.querySelectorAll("[data-width]").forEach(function (bar) {
    bar.style.width = bar.dataset.width + "%";
  });

  // A running job's page polls its progress until it finishes, then reloads.
  var box = document.getElementById("job");
  if (!box || !box.hasAttribute("data-poll")) { return; }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.status !== "running" && state.status !== "queued") { window.location.reload(); return; }
        document.getElementById("job-bar").style.width = state.percent + "%";
        document.getElementById("job-count").textContent = state.done + "/" + (state.total || "?");
        if (state.message && state.message.text) { document.getElementById("job-status").firstChild.textContent = state.message.text + " "; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
