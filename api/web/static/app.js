/* The planner's page: a little help on top of plain forms and links (all works without it). */
(function () {
  "use strict";

  // Filters apply as soon as a choice changes; the button stays for keyboards and no-script.
  document.querySelectorAll("form[data-autosubmit] select, form[data-autosubmit] input[type=checkbox]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });

  // Whether the server answers: asked now and then, and when the browser says it is
  // off or on line again; the notice at the top of the page says so.
  var offline = document.querySelector("[data-offline]");
  if (offline) {
    var check = function () {
      if (!navigator.onLine) { offline.hidden = false; return; }
      fetch("/v1/health", { cache: "no-store" }).then(
        function (answer) { offline.hidden = answer.status < 500; },
        function () { offline.hidden = false; }
      );
    };
    window.addEventListener("offline", check);
    window.addEventListener("online", check);
    window.setInterval(check, 15000);
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // While a solve runs, the grid shows the best roster so far: fetched again whenever the job
  // has stored a roster the page does not show yet (its progress counts them), at most
  // every two seconds.
  var liveGrid = document.querySelector("[data-live-grid]");
  var shownKey = function () {
    var marked = liveGrid.querySelector("[data-best-so-far]");
    if (marked) { return marked.getAttribute("data-rosters"); }
    return liveGrid.querySelector("table[data-grid] .card") ? "done" : "";
  };
  var fetchedAt = 0;
  var refreshGrid = function (job) {
    if (!liveGrid || !job.has_roster) { return; }
    var key = String((job.progress || {}).rosters || 1);
    if (key === shownKey() || Date.now() - fetchedAt < 2000) { return; }
    fetchedAt = Date.now();
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var found = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-grid]");
        if (found) { liveGrid.innerHTML = found.innerHTML; }
      });
  };

  // A solve job in progress: follow it, and show the roster once it has ended.
  document.querySelectorAll("[data-progress]").forEach(function (panel) {
    var bar = panel.querySelector(".bar");
    var fill = bar.querySelector("span");
    var text = panel.querySelector("[data-field=text]");
    var label = function (name) { return panel.getAttribute("data-label-" + name) || name; };
    var poll = function () {
      fetch(panel.getAttribute("data-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          if (!job.live) { window.location.reload(); return; }
          var progress = job.progress || {};
          // A panel that lists what is done (the weeks of a horizon) is shown again as each is.
          var shownDone = panel.getAttribute("data-done");
          if (shownDone !== null && String(progress.done || 0) !== shownDone) { window.location.reload(); return; }
          var seconds = progress.seconds || 0;
          var parts = [];
          var share = 0;
          if (panel.hasAttribute("data-label-solves")) {
            // A what-if analysis counts its solves; a roster solve counts its seconds.
            share = progress.total ? (progress.done || 0) / progress.total : 0;
            parts.push((progress.done || 0) + " / " + (progress.total || "…") + " " + label("solves"));
          } else {
            share = job.time_limit ? Math.min(0.99, seconds / job.time_limit) : 0;
            if (progress.phase) { parts.push(label(progress.phase)); }
            parts.push(Math.round(seconds) + " / " + Math.round(job.time_limit || 0) + " " + label("seconds"));
            if (progress.solutions) { parts.push(progress.solutions + " " + label("solutions")); }
          }
          // The job's state as the page was made (queued, say) follows the job's own.
          var named = panel.getAttribute("data-label-state-" + job.state);
          if (named) {
            panel.querySelectorAll("[data-field=state]").forEach(function (field) { field.textContent = named; });
            document.querySelectorAll("[data-job-state]").forEach(function (field) {
              field.className = "state state-" + job.state;
              field.textContent = named;
            });
          }
          refreshGrid(job);
          fill.style.width = Math.round(share * 100) + "%";
          bar.setAttribute("aria-valuenow", String(Math.round(share * 100)));
          text.textContent = parts.join(" · ");
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    poll();
  });

  // The week grid: arrow keys move between days and rooms, Enter goes into a cell's links.
  var grid = document.querySelector("table[data-grid]");
  if (grid) {
    var rows = Array.prototype.slice.call(grid.tBodies[0] ? grid.tBodies[0].rows : []);
    var cellAt = function (r, c) {
      var row = rows[r];
      return row ? row.querySelectorAll("td.cell")[c] : null;
    };
    var first = cellAt(0, 0);
    if (first) { first.setAttribute("tabindex", "0"); }
    var moveTo = function (from, target) {
      if (!target) { return; }
      from.setAttribute("tabindex", "-1");
      target.setAttribute("tabindex", "0");
      target.focus();
    };
    grid.addEventListener("keydown", function (event) {
      var cell = event.target.closest("td.cell");
      if (!cell) { return; }
      if (event.target !== cell) {
        if (event.key === "Escape") { cell.focus(); event.preventDefault(); }
        return;
      }
      var r = rows.indexOf(cell.parentElement);
      var c = Array.prototype.indexOf.call(cell.parentElement.querySelectorAll("td.cell"), cell);
      var moves = {
        ArrowRight: [r, c + 1], ArrowLeft: [r, c - 1], ArrowDown: [r + 1, c], ArrowUp: [r - 1, c],
        Home: [r, 0], End: [r, 6]
      };
      if (moves[event.key]) {
        moveTo(cell, cellAt(moves[event.key][0], moves[event.key][1]));
        event.preventDefault();
      } else if (event.key === "Enter") {
        var link = cell.querySelector("a");
        if (link) { link.focus(); event.preventDefault(); }
      }
    });
  }
})();
