// "None of these" on the patient form: ticking it shows at once what saving will do, every
// comorbidity still Unknown becomes No. The server applies the same rule without JavaScript.
(function () {
  var box = document.getElementById("id_none_of_these");
  if (!box) return;
  var selects = box.form.querySelectorAll("select[data-comorbidity]");
  box.addEventListener("change", function () {
    if (!box.checked) return;
    selects.forEach(function (select) {
      if (select.value === "unknown" || select.value === "") select.value = "false";
    });
  });
})();
