// Add and remove rows of a Django formset in place (the treatment history). Without
// JavaScript the page offers two empty rows per save; with it, "Add a treatment" appends a
// row from the formset's empty form and bumps TOTAL_FORMS. Removing an unsaved row empties
// and hides it: an untouched extra form is ignored by the formset, so indexes never shift.
(function () {
  var form = document.querySelector("form[data-formset-prefix]");
  if (!form) return;
  var prefix = form.dataset.formsetPrefix;
  var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
  var max = form.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
  var template = document.getElementById("treatment-row-template");
  var rows = document.getElementById("treatment-rows");
  var add = document.getElementById("add-treatment");

  form.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  form.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });

  function wireRemove(row) {
    var button = row.querySelector(".remove-row");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      // Back to the form's initial values (not blank: a default such as the outcome's
      // "unknown" left blank would count as a change, and the formset would check the row).
      row.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (input.type === "hidden") return;
        if (input.tagName === "SELECT") {
          Array.prototype.forEach.call(input.options, function (o) { o.selected = o.defaultSelected; });
        } else { input.value = input.defaultValue; }
      });
      row.hidden = true;
      add.focus();
    });
  }

  rows.querySelectorAll("tr.treatment-row").forEach(wireRemove);

  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var row = rows.lastElementChild;
    wireRemove(row);
    var first = row.querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  });
})();
