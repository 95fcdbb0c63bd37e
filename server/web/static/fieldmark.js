// Small helpers for the office pages; every page works without them.
"use strict";

// A form with data-confirm asks before it is sent (disabling an account, closing a finding…).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
