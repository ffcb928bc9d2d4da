// gateledger pages: small progressive enhancements. Every page works without this file.
// No inline script exists anywhere (the content security policy forbids it): behaviour
// attaches here, through data- attributes.
(function () {
  "use strict";

  // <form data-confirm="…">: ask before a destructive action.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });

  // <select data-autosubmit>: submit its form on change (the language switch); a button
  // stays in the form for keyboards and for browsers without script.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // Live panels: <section data-panel="measure" data-panel-src="/e/…/panels/measure"> on a
  // page whose <body data-events="/e/…/events">. On a `panel` event naming the panel (or
  // `all`), the fragment is fetched again and swapped in. The server renders the fragment
  // with the caller's rights.
  var events = document.body.getAttribute("data-events");
  if (events && window.EventSource) {
    var dot = document.querySelector(".live-dot");
    var source = new EventSource(events);
    source.addEventListener("ready", function () {
      if (dot) { dot.classList.add("on"); }
      document.body.setAttribute("data-live", "on");
    });
    source.addEventListener("error", function () {
      if (dot) { dot.classList.remove("on"); }
    });
    source.addEventListener("panel", function (e) {
      document.querySelectorAll("[data-panel]").forEach(function (panel) {
        if (e.data !== "all" && panel.getAttribute("data-panel") !== e.data) { return; }
        var src = panel.getAttribute("data-panel-src");
        if (!src) { return; }
        fetch(src, { credentials: "same-origin" }).then(function (r) {
          return r.ok ? r.text() : null;
        }).then(function (html) {
          if (html !== null) {
            panel.innerHTML = html;
            panel.setAttribute("data-updated", String(Date.now()));
          }
        });
      });
    });
  }

  // The big screen's clock, in Beijing time whatever the machine's zone.
  var clock = document.querySelector("[data-clock]");
  if (clock) {
    var tick = function () {
      var now = new Date(Date.now() + 8 * 3600 * 1000);
      clock.textContent = now.toISOString().slice(0, 19).replace("T", " ");
    };
    tick();
    setInterval(tick, 1000);
  }
})();
