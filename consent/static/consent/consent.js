/* The consent dialog. The answer lives in the visitaizu_consent cookie ("agreed.2", "declined.2"...), which
   holds no identifier; agreeing makes the server set the profile cookie. Global Privacy Control means "no". */
(function (d, w) {
  "use strict";
  var box = d.getElementById("consent");
  if (!box) { return; }
  var data = box.dataset, version = data.version, status = box.querySelector(".consent-status");
  var gpc = w.navigator.globalPrivacyControl === true;

  function answer() {
    var match = /(?:^|; )visitaizu_consent=([a-z]+)\.(\d+)/.exec(d.cookie);
    return match ? { answer: match[1], version: match[2] } : null;
  }

  function show(settings) {
    var current = answer(), agreed = current && current.answer === "agreed";
    box.querySelector(".consent-ask").hidden = gpc || (settings && agreed);
    box.querySelector(".consent-agreed").hidden = !agreed;
    box.querySelector(".consent-gpc").hidden = !gpc;
    box.querySelector(".consent-close").hidden = !settings;
    status.textContent = "";
    box.hidden = false;
    if (settings) { box.querySelector("h2").setAttribute("tabindex", "-1"); box.querySelector("h2").focus(); }
  }

  function savedInBrowser() {
    try { return JSON.parse(w.localStorage.getItem("visitaizu.savedRoutes") || "[]").map(Number).filter(Boolean); }
    catch (error) { return []; }
  }

  function post(url, body) {
    return w.fetch(url, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) { throw new Error(json.error ? json.error.message : response.statusText); }
        return json;
      });
    });
  }

  function done(json) {
    box.hidden = true;
    w.dispatchEvent(new CustomEvent("visitaizu:consent", { detail: json }));
  }

  box.addEventListener("click", function (event) {
    var choice = event.target.getAttribute("data-consent");
    if (!choice) { return; }
    var request;
    if (choice === "close") { box.hidden = true; return; }
    if (choice === "withdraw") {
      request = post(data.withdraw, { language: data.lang });
    } else {
      request = post(data.api, {
        answer: choice, version: +version, language: data.lang, saved_routes: choice === "agree" ? savedInBrowser() : []
      });
    }
    request.then(done, function (error) { status.textContent = error.message; });
  });

  d.querySelectorAll("[data-consent-open]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { show(true); });
  });

  var current = answer();
  var asked = current && (current.answer !== "agreed" || current.version === version);
  if (!gpc && !asked) { show(false); }
})(document, window);
