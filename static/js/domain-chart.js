// Progressive enhancement: draw the domain table as a bar chart where Chart.js is loaded.
(function () {
  var canvas = document.getElementById("domain-chart");
  var data = document.getElementById("domain-data");
  if (!canvas || !data || typeof Chart === "undefined") return;
  var domains = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: domains.map(function (d) { return d.domain; }),
      datasets: [{
        label: "% of evaluable points met",
        data: domains.map(function (d) { return d.percent; }),
        backgroundColor: "#0d6efd"
      }]
    },
    options: {
      indexAxis: "y", animation: false, maintainAspectRatio: false,
      scales: { x: { min: 0, max: 100 } },
      plugins: { legend: { display: false } }
    }
  });
})();
