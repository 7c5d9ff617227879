/* Personal route suggestions, loaded after the (cached, identical for everyone) page. Without JavaScript, or if
   the request fails, the popular routes rendered in the page stay. Impressions and clicks go to the tracker. */
(function () {
  "use strict";

  function card(route, position, placement) {
    var item = document.createElement("li");
    item.className = "card";
    if (route.image) {
      var image = document.createElement("img");
      image.src = route.image; image.alt = route.image_alt || ""; image.loading = "lazy";
      if (route.image_width) { image.width = route.image_width; image.height = route.image_height; }
      item.appendChild(image);
    }
    var heading = document.createElement("h3");
    var link = document.createElement("a");
    link.href = route.url; link.textContent = route.title;
    link.addEventListener("click", function () {
      track("rec_click", { route: route.id, placement: placement, position: position });
    });
    heading.appendChild(link);
    item.appendChild(heading);
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = route.area ? route.duration + " · " + route.area : route.duration;
    item.appendChild(meta);
    var reason = document.createElement("p");
    reason.className = "meta recommendation-reason";
    reason.textContent = route.reason;
    item.appendChild(reason);
    if (route.summary) {
      var summary = document.createElement("p");
      summary.textContent = route.summary;
      item.appendChild(summary);
    }
    return item;
  }

  function track(name, props) {
    window.dispatchEvent(new CustomEvent("visitaizu:track", { detail: { n: name, d: props } }));
  }

  function load(section) {
    var data = section.dataset;
    var query = "?placement=" + data.placement + "&lang=" + encodeURIComponent(data.lang) + "&limit=" + data.limit +
      (data.page ? "&page=" + data.page : "");
    window.fetch(data.api + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (json) {
        if (!json || !json.routes.length) { return; }
        var list = document.createElement("ul");
        list.className = "cards";
        json.routes.forEach(function (route, index) { list.appendChild(card(route, index + 1, data.placement)); });
        section.querySelector(".cards").replaceWith(list);
        section.querySelector("h2").textContent = data.headingPersonal;
        section.setAttribute("aria-busy", "false");
        track("rec_impression", { routes: json.routes.map(function (route) { return route.id; }), placement: data.placement });
      })
      .catch(function () {});
  }

  var sections = document.querySelectorAll("[data-recommendations]");
  sections.forEach(load);

  /* "What do you like?": only for visitors with a profile (the consent cookie holds the answer, no identifier). */
  var chooser = document.querySelector("[data-taste-chooser]");
  var consented = /(?:^|; )visitaizu_consent=agreed\./.test(document.cookie) && navigator.globalPrivacyControl !== true;
  if (chooser && consented) {
    var form = chooser.querySelector("form");
    var status = chooser.querySelector(".taste-status");
    chooser.hidden = false;
    window.fetch(form.dataset.profileApi, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (json) {
        if (!json.profile) { chooser.hidden = true; return; }
        form.querySelectorAll("[name=interests]").forEach(function (box) {
          box.checked = json.profile.interests.indexOf(box.value) !== -1;
        });
        form.elements.travel_month.value = json.profile.travel_month || "";
        form.elements.party.value = json.profile.party || "";
      }).catch(function () {});
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var interests = Array.prototype.map.call(form.querySelectorAll("[name=interests]:checked"), function (box) { return box.value; });
      var month = form.elements.travel_month.value;
      window.fetch(form.dataset.profileApi, {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ interests: interests, travel_month: month ? Number(month) : null, party: form.elements.party.value })
      }).then(function (response) { return response.json().then(function (json) {
        if (!response.ok) { throw new Error(json.error.message); }
        status.textContent = chooser.dataset.saved || "✓";
        sections.forEach(load);
      }); }).catch(function (error) { status.textContent = error.message; });
    });
  }
})();
