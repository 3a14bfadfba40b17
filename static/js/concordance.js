// Draw the concordance page's departure-rate charts from the json_script data. Each chart
// repeats the table below it (which also has the groups too small for a rate), so without
// JavaScript, or in print, nothing is lost. A breakdown with fewer than two rates to compare
// has no chart.
(function () {
  var source = document.getElementById("concordance-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);

  data.charts.forEach(function (chart) {
    var canvas = document.getElementById(chart.id);
    if (!canvas || !chart.rows.length) return;
    // One bar per group, tall enough to read its label.
    canvas.parentNode.style.height = 70 + 30 * chart.rows.length + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.rows.map(function (r) { return r.label; }),
        datasets: [{
          label: "Departures, % of decisions",
          data: chart.rows.map(function (r) { return r.percent; }),
          backgroundColor: "#0d6efd"
        }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var r = chart.rows[context.dataIndex];
                return r.percent + "% (" + r.departures + " of " + r.decisions +
                  " decisions; likely " + r.low + "–" + r.high + "%)";
              }
            }
          }
        },
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: "Departures, % of decisions" } }
        }
      }
    });
  });
})();
