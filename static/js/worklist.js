// Progressive enhancement: "Why this rank" loads the explanation in place. Without
// JavaScript the <details> holds a link to the patient's page instead.
(function () {
  document.querySelectorAll("details.why[data-why-url]").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "1";
      var body = details.querySelector(".why-body");
      fetch(details.dataset.whyUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) { body.innerHTML = html; })
        .catch(function () { delete details.dataset.loaded; });
    });
  });
})();
