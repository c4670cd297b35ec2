// argmap report: sortable tables and the counts of what the page shows; no network
(function () {
  function cellValue(row, index) {
    var text = row.cells[index].getAttribute("data-value") || row.cells[index].textContent;
    var number = parseFloat(text);
    return isNaN(number) ? text.toLowerCase() : number;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (header, index) {
      header.addEventListener("click", function () {
        var body = table.tBodies[0];
        var ascending = header.getAttribute("data-order") !== "ascending";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
        header.setAttribute("data-order", ascending ? "ascending" : "descending");
      });
    });
    table.setAttribute("data-sortable", "ready");
  });
  var shown = document.getElementById("shown");
  if (shown) {
    var count = function (selector) { return document.querySelectorAll(selector).length; };
    shown.setAttribute("data-claims", count(".text .unit.claim[data-part='0']"));
    shown.setAttribute("data-major", count(".text .unit.claim.major[data-part='0']"));
    shown.setAttribute("data-evidence", count(".text .unit.evidence[data-part='0']"));
    shown.setAttribute("data-citations", count(".text a.citation"));
    shown.setAttribute("data-map-nodes", count("svg.argument-map .node"));
    shown.setAttribute("data-diagnostics", count("#diagnostics li.diagnostic"));
    shown.textContent = "Ditampilkan: " + shown.getAttribute("data-claims") + " klaim, " +
      shown.getAttribute("data-evidence") + " bukti, " + shown.getAttribute("data-citations") +
      " kutipan, " + shown.getAttribute("data-diagnostics") + " diagnostik.";
  }
})();
