// frontline pages: the few live parts. Nothing else runs; every page works without this file.
(function () {
  "use strict";
  // Parts marked data-refresh="URL" reload their HTML from URL every data-every seconds
  // (the solve's progress, the check-in QR code), until the answer says it is final.
  document.querySelectorAll("[data-refresh]").forEach(function (box) {
    var every = Number(box.getAttribute("data-every") || "2") * 1000;
    function tick() {
      fetch(box.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          box.innerHTML = html;
          var state = box.querySelector("[data-final]");
          if (state) {
            var go = state.getAttribute("data-go");
            if (go) { window.location.assign(go); }
            return;
          }
          window.setTimeout(tick, every);
        })
        .catch(function () { window.setTimeout(tick, every * 2); });
    }
    window.setTimeout(tick, every);
  });
  // Drag and drop onto the upload box fills its file input.
  document.querySelectorAll(".drop").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var shown = zone.querySelector(".chosen");
    function show() { if (shown && input.files.length) { shown.textContent = input.files[0].name; } }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (e) {
      zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) {
      if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; show(); }
    });
  });
})();
