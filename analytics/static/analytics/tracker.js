/* VisitAizu's first-party tracker: no cookie, no identifier, no third party. Schema: analytics/EVENTS.md.
   Other scripts send events with: dispatchEvent(new CustomEvent("visitaizu:track", {detail: {n: "save", d: {...}}})) */
(function (w, d, nav) {
  "use strict";
  var script = d.currentScript, data = script.dataset, api = data.api;
  var engaged = 0, since = 0, depth = 0;

  function send(name, props) {
    var body = { n: name, u: location.href, l: data.lang, f: data.fallback === "1" };
    if (data.page) { body.p = +data.page; body.t = data.type; }
    if (d.referrer) { body.r = d.referrer; }
    if (props) { body.d = props; }
    body = JSON.stringify(body);
    if (!(nav.sendBeacon && nav.sendBeacon(api, body))) {
      w.fetch(api, { method: "POST", body: body, keepalive: true }).catch(function () {});
    }
  }

  function measureScroll() {
    var root = d.documentElement, room = root.scrollHeight - w.innerHeight;
    depth = Math.max(depth, room > 0 ? Math.min(100, Math.round(100 * w.scrollY / room)) : 100);
  }

  /* Also called on link clicks: browsers may drop requests made while a page unloads. */
  function flush() {
    var now = Date.now();
    if (since) { engaged += now - since; since = d.visibilityState === "visible" ? now : 0; }
    if (engaged > 0) { send("engagement", { ms: Math.min(engaged, 216e5), scroll: depth }); engaged = 0; }
  }

  function visibility() {
    if (d.visibilityState === "visible") { since = Date.now(); } else { flush(); }
  }

  send(data.status === "404" ? "404" : "pageview");
  if (data.searchTerm) { send("search", { term: data.searchTerm.slice(0, 100), results: +data.searchResults || 0 }); }
  measureScroll();
  visibility();
  w.addEventListener("scroll", measureScroll, { passive: true });
  d.addEventListener("visibilitychange", visibility);
  w.addEventListener("pagehide", flush);
  d.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) { return; }
    if (/^https?:$/.test(link.protocol) && link.host !== location.host) {
      send("outbound", { href: link.href.slice(0, 1000) });
    } else if (link.hreflang && link.closest(".language-switcher")) {
      send("language", { to: link.hreflang.toLowerCase() });
    }
    if (link.pathname !== location.pathname || link.host !== location.host) { flush(); }
  }, true);
  w.addEventListener("visitaizu:track", function (event) { send(event.detail.n, event.detail.d); });
})(window, document, navigator);
