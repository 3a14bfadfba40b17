// Draw a preview's two charts from the json_script data. Each repeats a table on the page,
// so without JavaScript (or in print) nothing is lost.
(function () {
  var source = document.getElementById("preview-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);

  function beforeAfter(id, series, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [
          { label: "Before", data: series.before, backgroundColor: "#adb5bd" },
          { label: "After", data: series.after, backgroundColor: "#0d6efd" }
        ]
      },
      options: { indexAxis: horizontal ? "y" : "x", animation: false, maintainAspectRatio: false }
    });
  }

  beforeAfter("chart-bands", data.bands, true);
  beforeAfter("chart-scores", data.scores, false);
})();
