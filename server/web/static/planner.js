// The planner's select-all box: checks or clears every unit the table shows (the filters or
// the draw decide which). Without it the page offers a "select all shown" link instead.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  const boxes = Array.from(document.querySelectorAll("#units input[name='unit']"));
  const sync = () => {
    const checked = boxes.filter((b) => b.checked).length;
    all.checked = checked === boxes.length && checked > 0;
    all.indeterminate = checked > 0 && checked < boxes.length;
  };
  all.hidden = false;
  all.addEventListener("change", () => {
    boxes.forEach((b) => { b.checked = all.checked; });
    sync();
  });
  boxes.forEach((b) => b.addEventListener("change", sync));
  sync();
});
