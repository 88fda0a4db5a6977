/* cbrnet — small progressive enhancements. Loaded with <script src defer>; no inline
   handlers (CSP script-src 'self'). Every page works without this file. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx: send Django's CSRF token with every htmx request (header X-CSRFToken).
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // data-confirm="Delete this record?" on a button, link or form asks before going on.
  // For htmx elements use hx-confirm instead (htmx asks itself).
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-confirm]");
    if (!el || el.tagName === "FORM" || el.hasAttribute("hx-confirm")) return;
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else if (el.form && el.form.hasAttribute("data-confirm")) {
      el.form.dataset.confirmed = "1"; // the button already asked: don't ask twice
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm")) return;
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <form data-autosubmit> submits when one of its fields changes (filter forms without
  // htmx). Text fields wait until typing pauses. data-autosubmit-delay="ms" overrides 500.
  var timers = new WeakMap();
  function autosubmit(form, delay) {
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () {
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }, delay));
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && !form.hasAttribute("hx-trigger")) {
      autosubmit(form, 0);
    }
  });
  document.addEventListener("input", function (event) {
    var t = event.target;
    var form = t.form;
    if (!form || !form.hasAttribute("data-autosubmit") || form.hasAttribute("hx-trigger")) return;
    if (t.tagName === "INPUT" && /^(text|search|number|email|tel|url)$/.test(t.type)) {
      autosubmit(form, parseInt(form.getAttribute("data-autosubmit-delay"), 10) || 500);
    }
  });

  // <button data-copy="text"> or <button data-copy data-copy-target="#id"> copies to the
  // clipboard, then says so in the button for 2 s (data-copied="Copied" for the wording).
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.addEventListener("click", function (event) {
    var btn = event.target.closest && event.target.closest("[data-copy]");
    if (!btn) return;
    event.preventDefault();
    var text = btn.getAttribute("data-copy");
    var sel = btn.getAttribute("data-copy-target");
    if (sel) {
      var target = document.querySelector(sel);
      text = target ? ("value" in target ? target.value : target.textContent) : "";
    }
    text = (text || "").trim();
    var copy = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text) : fallbackCopy(text);
    copy.then(function () {
      if (!btn.dataset.label) btn.dataset.label = btn.textContent;
      btn.textContent = btn.getAttribute("data-copied") || "✓";
      btn.setAttribute("aria-live", "polite");
      setTimeout(function () { btn.textContent = btn.dataset.label; }, 2000);
    }, function () {
      window.prompt("", text); // last resort: let the user copy by hand
    });
  });
})();
