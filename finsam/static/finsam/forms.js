/* Progressive enhancement for Finsam's forms (the forms work without it).
   1. Fields that apply only to one registration kind (data-applies="identified|anonymous" on the
      field wrapper) are shown for the kind chosen in the radio group named by the form's
      data-applies-control, and hidden (and left out of the tab order) otherwise.
   2. A form is sent once: its submit buttons are disabled after the first submit (the server
      also refuses a repeated submission token). */
(function () {
  "use strict";

  function syncApplies(form) {
    var name = form.getAttribute("data-applies-control");
    if (!name) { return; }
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-applies]").forEach(function (field) {
      var show = !value || field.getAttribute("data-applies") === value;
      field.hidden = !show;
    });
  }

  function init() {
    document.querySelectorAll("form[data-applies-control]").forEach(function (form) {
      var name = form.getAttribute("data-applies-control");
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        input.addEventListener("change", function () { syncApplies(form); });
      });
      syncApplies(form);
    });
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
        form.setAttribute("data-sent", "1");
        window.setTimeout(function () {
          form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (b) {
            b.disabled = true;
            b.setAttribute("aria-disabled", "true");
          });
        }, 0);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
