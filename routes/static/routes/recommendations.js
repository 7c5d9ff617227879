/* Personal route suggestions, loaded after the (cached, identical for everyone) page. Without JavaScript, or if
   the request fails, the popular routes rendered in the page stay. Impressions and clicks go to the tracker. */
(function () {
  "use strict";

  function card(route, position, placement) {
    var item = document.createElement("li");
    item.className = "card";
    if (route.image) {
      var image = document.createElement("img");
      image.src = route.image; image.alt = route.image_alt || ""; image.loading = "lazy"; image.width = 480; image.height = 270;
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

  document.querySelectorAll("[data-recommendations]").forEach(function (section) {
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
  });
})();
