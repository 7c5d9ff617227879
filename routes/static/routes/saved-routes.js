/* "Save to my trip". Without consent the list lives only in this browser (localStorage) and is never sent;
   with consent it is also kept in the visitor's profile, so it follows them to their next visit. */
(function () {
  "use strict";
  var KEY = "visitaizu.savedRoutes";
  var PROFILE = "/api/profile";

  function consented() {
    return /(?:^|; )visitaizu_consent=agreed\./.test(document.cookie) && navigator.globalPrivacyControl !== true;
  }

  function toProfile(id, saved) {
    if (!consented()) { return; }
    window.fetch(PROFILE, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ route: Number(id), saved: saved })
    }).catch(function () {});
  }

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

  var buttons = document.querySelectorAll("[data-save-route]");
  buttons.forEach(function (button) {
    var id = button.dataset.saveRoute;
    render(button, load().indexOf(id) !== -1);
    button.hidden = false;
    button.addEventListener("click", function () {
      var ids = load();
      var at = ids.indexOf(id);
      if (at === -1) { ids.push(id); } else { ids.splice(at, 1); }
      if (store(ids)) {
        render(button, at === -1);
        toProfile(id, at === -1);
        window.dispatchEvent(new CustomEvent("visitaizu:track", {
          detail: { n: "save", d: { route: Number(id), saved: at === -1 } }
        }));
      }
    });
  });

  if (consented() && buttons.length) {  // routes saved on another visit or device come back from the profile
    window.fetch(PROFILE, { credentials: "same-origin" }).then(function (response) { return response.json(); })
      .then(function (json) {
        if (!json.profile) { return; }
        var ids = load();
        json.profile.saved_routes.map(String).forEach(function (id) { if (ids.indexOf(id) === -1) { ids.push(id); } });
        store(ids);
        buttons.forEach(function (button) { render(button, ids.indexOf(button.dataset.saveRoute) !== -1); });
      }).catch(function () {});
  }

  document.querySelectorAll(".print-route").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
