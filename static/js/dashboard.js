// Draw the dashboard's charts from the json_script data. Each chart repeats a table that
// is already on the page, so without JavaScript (or in print) nothing is lost.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var common = { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } };

  function bar(id, rows, label, colour, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{ label: label, data: rows.map(function (r) { return r.count; }), backgroundColor: colour }]
      },
      options: Object.assign({ indexAxis: horizontal ? "y" : "x" }, common)
    });
  }

  bar("chart-bands", data.bands, "Patients", "#0d6efd", true);
  bar("chart-diseases", data.diseases, "Patients", "#6f42c1", true);
  bar("chart-scores", data.histogram, "Patients", "#198754", false);

  var funnel = document.getElementById("chart-funnel");
  if (funnel) {
    new Chart(funnel, {
      type: "bar",
      data: {
        labels: data.funnel.map(function (s) { return s.label; }),
        datasets: [
          { label: "Passed", data: data.funnel.map(function (s) { return s.passed; }), backgroundColor: "#0f5132" },
          { label: "Excluded", data: data.funnel.map(function (s) { return s.excluded; }), backgroundColor: "#842029" }
        ]
      },
      options: { indexAxis: "y", animation: false, maintainAspectRatio: false,
                 scales: { x: { stacked: true }, y: { stacked: true } } }
    });
  }
})();
