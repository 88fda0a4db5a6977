/* Countries' assessments: the fill page's autosave around htmx (loaded with <script src defer>; no
   inline code under the strict CSP). Every page also works without this file: each answer form
   then has a Save button (inside <noscript>).

   - Ticking "Not applicable" clears and disables the question's value inputs before htmx collects
     the form (capture phase), so that the answer saved is "not applicable" alone; unticking enables
     them again.
   - The save state line of a question says "Saving…" while its answer is on the way, and says so
     when the server could not be reached (offline), so that nobody believes an answer was kept. */
(function () {
  "use strict";

  function valueInputs(form) {
    return form.querySelectorAll("[data-answer-value]");
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-not-applicable]")) return;
    var form = box.form;
    if (!form) return;
    valueInputs(form).forEach(function (input) {
      if (box.checked) {
        if (input.type === "radio" || input.type === "checkbox") {
          input.checked = input.type === "radio" && input.value === "";
        } else {
          input.value = "";
        }
      }
      input.disabled = box.checked;
    });
  }, true);

  function stateOf(form) {
    return form && form.classList && form.classList.contains("answer-form") ? form.querySelector(".save-state") : null;
  }

  function say(state, text, kind) {
    if (!state) return;
    state.textContent = text || "";
    state.classList.remove("saved", "error", "saving");
    if (kind) state.classList.add(kind);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var state = stateOf(event.detail && event.detail.elt);
    if (state) say(state, state.getAttribute("data-saving"), "saving");
  });

  function failed(event) {
    var state = stateOf(event.detail && event.detail.elt);
    if (state) say(state, state.getAttribute("data-failed"), "error");
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);

  // Mark the question answered or not once its saved state comes back (the form stays in place:
  // only its state line is swapped).
  document.addEventListener("htmx:afterSwap", function (event) {
    var form = event.detail && event.detail.elt;
    var state = stateOf(form);
    var question = form && form.closest ? form.closest(".question") : null;
    if (!state || !question || state.classList.contains("error")) return;
    var na = form.querySelector("[data-not-applicable]");
    var answered = !!(na && na.checked);
    valueInputs(form).forEach(function (input) {
      if (input.disabled) return;
      var filled = (input.type === "radio" || input.type === "checkbox")
        ? (input.checked && input.value !== "") : input.value.trim() !== "";
      if (filled) answered = true;
    });
    question.classList.toggle("answered", answered);
  });
})();
