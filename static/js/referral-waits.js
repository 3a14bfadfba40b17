// Draw the median wait per referral step from the json_script data. The chart repeats the
// table beside it, so without JavaScript, or in print, nothing is lost.
(function () {
  var source = document.getElementById("referral-waits-data");
  var canvas = document.getElementById("waits-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var rows = JSON.parse(source.textContent).waits;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map(function (r) { return r.step; }),
      datasets: [{
        label: "Median days waited",
        data: rows.map(function (r) { return r.median_days; }),
        backgroundColor: "#0d6efd"
      }]
    },
    options: {
      indexAxis: "y",
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { min: 0, title: { display: true, text: "Days" } } }
    }
  });
})();
