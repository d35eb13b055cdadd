/* HE.CO Hub static export: start pagefind's search UI on the static search page.
   An external file (no inline code), so the pages keep a strict Content-Security-Policy;
   pagefind itself needs 'wasm-unsafe-eval' in script-src where a host sets a CSP. */
(function () {
  "use strict";

  function start() {
    var el = document.getElementById("static-search");
    if (!el || typeof window.PagefindUI === "undefined") return;
    var here = window.location.href;
    var ui = new window.PagefindUI({
      element: "#static-search",
      bundlePath: new URL(el.dataset.pagefindBundle, here).href,
      baseUrl: new URL(el.dataset.pagefindRoot, here).pathname,
      showImages: false,
      showSubResults: false,
      resetStyles: false
    });
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) ui.triggerSearch(q);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
