// Progressive enhancement: each trend's values (in a table beside it) drawn as a line chart
// where Chart.js is loaded. The table stays for screen readers and for anyone who prefers it.
(function () {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas.trend-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.series);
    if (!source) return;
    var series = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: series.dates,
        datasets: [{ label: series.label, data: series.values, borderColor: "#0a58ca",
                     backgroundColor: "#0a58ca", tension: 0, pointRadius: 3 }]
      },
      options: {
        animation: false, maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { maxTicksLimit: 6 } } }
      }
    });
  });
})();
