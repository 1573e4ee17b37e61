// socketlab: decides when "Update available" is true.
//
// go-app v10.1.11 (app.js, goappSetupNotifyUpdate) calls goappOnUpdate when
// a newly installed worker reaches "activated" while
// navigator.serviceWorker.controller is set — read at that moment, not when
// the page loaded. On a first visit the only worker there is activates and
// calls clients.claim(); in Firefox and WebKit the claim often sets the
// controller before the page sees "activated", so the first worker's
// activation is taken for an update (Chromium usually delivers "activated"
// first, which is why a Chrome-only suite never saw it).
//
// So the notice needs two facts that go-app does not check:
//   1. the page had a controller before this worker came: it was loaded
//      under a service worker, or a worker has already taken it over once
//      (a first visit's own worker, by claim) — so the change is not the
//      page's first controller;
//   2. the worker that took over is of another build: go-app's worker keeps
//      its files in the cache "app-" + its Version, so a cache of another
//      version than this page's GOAPP_VERSION, once a new worker has
//      activated (after its cache is full), means a different build is
//      ready. A worker still waiting is not announced: go-app's is waiting
//      only while it is still downloading (see below).
// When both hold, window.socketlabUpdateReady is set and goappOnUpdate is
// called (again); the Go banner (app/ui/banners.go) shows the notice only
// when go-app says so *and* this flag is set, which drops go-app's false
// positives and keeps every real redeploy.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !("caches" in window)) {
    return;
  }
  var sw = navigator.serviceWorker;
  // Read now: this script runs while the page is parsed, long before a
  // first worker could have installed (it must download app.wasm first).
  var controlled = sw.controller !== null;
  window.socketlabUpdateReady = false;

  function check() {
    if (window.socketlabUpdateReady || typeof goappGetenv !== "function") {
      return;
    }
    var mine = "app-" + goappGetenv("GOAPP_VERSION");
    caches.keys().then(function (keys) {
      var other = keys.some(function (k) { return k.indexOf("app-") === 0 && k !== mine; });
      if (other && !window.socketlabUpdateReady) {
        window.socketlabUpdateReady = true;
        goappOnUpdate();
      }
    }, function () { /* no cache access: no claim of an update */ });
  }

  sw.addEventListener("controllerchange", function () {
    if (!controlled) {
      // The page's first controller: a first visit's own worker claiming
      // it. Not an update; from now on the page is controlled.
      controlled = true;
      return;
    }
    check();
  });
  sw.ready.then(function (reg) {
    function watch(w) {
      if (!w) {
        return;
      }
      w.addEventListener("statechange", function () {
        // Only "activated", not "installed" (waiting): go-app's install
        // handler does not extend the install event, so its worker is
        // "installed" while it still downloads the new build into its
        // cache, and a reload then would load the old build again (seen in
        // Firefox). It skips waiting once the cache is full, so an
        // activated worker of another version is a build ready to use.
        if (controlled && w.state === "activated") {
          check();
        }
      });
    }
    watch(reg.installing);
    reg.addEventListener("updatefound", function () { watch(reg.installing); });
  });
})();
