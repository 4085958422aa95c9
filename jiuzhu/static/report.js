// The report's trend chart and print button. Data comes from a JSON script element, so that the
// content security policy can forbid inline scripts.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("trend-chart");
    var data = document.getElementById("trend-data");
    if (!holder || !data || typeof echarts === "undefined") { return; }
    var t = JSON.parse(data.textContent);
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [holder.dataset.incomeLabel, holder.dataset.assetsLabel] },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: t.years },
      yAxis: { type: "value", name: "元" },
      series: [
        { name: holder.dataset.incomeLabel, type: "bar", data: t.income.map(Number) },
        { name: holder.dataset.assetsLabel, type: "line", data: t.assets.map(Number) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
