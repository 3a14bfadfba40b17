// Progressive enhancement: "Why this rank" opens the explanation in a full-width row
// under the patient's row. Without JavaScript the <details> holds a link to the
// patient's page instead.
(function () {
  document.querySelectorAll("details.why[data-why-url]").forEach(function (details) {
    var row = details.closest("tr");
    var whyRow = null;
    details.addEventListener("toggle", function () {
      if (whyRow) { whyRow.hidden = !details.open; return; }
      if (!details.open) return;
      whyRow = document.createElement("tr");
      whyRow.className = "why-row";
      var cell = document.createElement("td");
      cell.colSpan = row.children.length;
      cell.className = "small bg-light";
      cell.textContent = "Loading…";
      whyRow.appendChild(cell);
      row.after(whyRow);
      details.querySelector(".why-body").hidden = true;
      fetch(details.dataset.whyUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) { cell.innerHTML = html; })
        .catch(function () {
          whyRow.remove(); whyRow = null;
          details.querySelector(".why-body").hidden = false;
        });
    });
  });
})();
