/* Dragging a card of a draft to another day or room: the same move as the edit page's form.
   Only on top of the forms: without a pointer (or without script) the edit page does it all. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-edit-bar]");
  if (!bar) { return; }
  var dragged = null;
  var post = function (fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = bar.getAttribute("data-action");
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  };
  document.querySelectorAll(".card-actions[data-drag]").forEach(function (actions) {
    var card = actions.closest(".card");
    card.setAttribute("draggable", "true");
    card.addEventListener("dragstart", function (event) {
      dragged = actions;
      event.dataTransfer.setData("text/plain", actions.getAttribute("data-assignment"));
      event.dataTransfer.effectAllowed = "move";
    });
    card.addEventListener("dragend", function () { dragged = null; });
  });
  document.querySelectorAll("table.grid td.cell").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); cell.classList.add("drop-here"); }
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-here"); });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("drop-here");
      if (!dragged || cell.contains(dragged)) { return; }
      var fields = {
        csrf: bar.getAttribute("data-csrf"),
        institution: bar.getAttribute("data-institution"),
        op: "move",
        assignment: dragged.getAttribute("data-assignment"),
        day: String(cell.cellIndex - 1),
        time: dragged.getAttribute("data-time")
      };
      var room = cell.parentElement.querySelector(".room-id");
      if (room && dragged.hasAttribute("data-room")) { fields.room = room.textContent.trim(); }
      post(fields);
    });
  });
})();
