// socketlab: go-app's loader writes the download progress of app.wasm into
// its label ("Loading socketlab… 42%"). This mirrors the number into a CSS
// variable (drawn as a bar by app.css) and into ARIA progressbar attributes,
// so the progress is seen and announced. The pre-rendered page stays
// readable underneath; go-app removes the loader once the app runs.
(function () {
  "use strict";
  var loader = document.getElementById("app-wasm-loader");
  var label = document.getElementById("app-wasm-loader-label");
  if (!loader || !label) {
    return;
  }
  loader.setAttribute("role", "progressbar");
  loader.setAttribute("aria-label", "Loading the app");
  loader.setAttribute("aria-valuemin", "0");
  loader.setAttribute("aria-valuemax", "100");
  function update() {
    var m = /(\d+)%/.exec(label.textContent || "");
    if (!m) {
      return;
    }
    var p = Math.min(100, parseInt(m[1], 10));
    loader.style.setProperty("--progress", p + "%");
    loader.setAttribute("aria-valuenow", String(p));
  }
  new MutationObserver(update).observe(label, { childList: true, characterData: true, subtree: true });
  update();
})();
