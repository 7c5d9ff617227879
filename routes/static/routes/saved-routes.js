/* "Save to my trip" without consent: the list lives only in this browser (localStorage) and is never sent. */
(function () {
  "use strict";
  var KEY = "visitaizu.savedRoutes";

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value.map(String) : [];
    } catch (error) {
      return [];
    }
  }

  function store(ids) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(ids));
      return true;
    } catch (error) {
      return false;
    }
  }

  function render(button, saved) {
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    button.textContent = saved ? button.dataset.labelSaved : button.dataset.labelSave;
    button.classList.toggle("is-saved", saved);
  }

  document.querySelectorAll("[data-save-route]").forEach(function (button) {
    var id = button.dataset.saveRoute;
    render(button, load().indexOf(id) !== -1);
    button.hidden = false;
    button.addEventListener("click", function () {
      var ids = load();
      var at = ids.indexOf(id);
      if (at === -1) { ids.push(id); } else { ids.splice(at, 1); }
      if (store(ids)) { render(button, at === -1); }
    });
  });

  document.querySelectorAll(".print-route").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
