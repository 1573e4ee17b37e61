// socketlab: go-app's loader writes the download progress of app.wasm into
// its label ("Loading socketlab… 42%"). This mirrors the number into a CSS
// variable (drawn as a bar by app.css) and into ARIA progressbar attributes,
// so the progress is seen and announced. The pre-rendered page stays
// readable underneath; the loader goes once the app has taken it over.
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

  // Go hands the main thread back to the browser once between its own start
  // and go-app's first render (app/main.go), so that the two are not one
  // long task; go-app's app.js removes the loader as soon as Go first
  // yields. The loader means "the app is not running yet", so it stays
  // until go-app has replaced the pre-rendered page with its own.
  var prerendered = document.body.firstElementChild;
  var remove = loader.remove;
  var replaced = false;
  var asked = false;
  new MutationObserver(function (_, obs) {
    if (prerendered && prerendered.isConnected) {
      return;
    }
    obs.disconnect();
    replaced = true;
    if (asked) {
      remove.call(loader);
    }
  }).observe(document.body, { childList: true });
  loader.remove = function () {
    if (replaced) {
      remove.call(loader);
    } else {
      asked = true;
    }
  };
})();
