// Predict-then-check exercises (book/_ext/cloudlab_predict.py writes the forms).
// The folded solution right after each form will not open until the reader has committed
// to an answer; the check then says whether it was right and, where the page has the live
// calculator the form names, offers to fill it in so the reader can confirm there.
// Nothing is sent or stored: everything happens in this page.
(function () {
  "use strict";

  function parseNumber(text) {
    var cleaned = text.replace(/[\s,_]/g, "").replace(/^(USD|\$)/i, "");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) {
      return null;
    }
    return Number(cleaned);
  }

  function close(value, answer, tolerance) {
    if (!tolerance) {
      return value === answer;
    }
    if (tolerance.slice(-1) === "%") {
      return Math.abs(value - answer) <= (Math.abs(answer) * Number(tolerance.slice(0, -1))) / 100;
    }
    return Math.abs(value - answer) <= Number(tolerance);
  }

  function setUp(form) {
    var solution = form.nextElementSibling;
    while (solution && solution.tagName !== "DETAILS") {
      solution = solution.nextElementSibling;
    }
    var status = form.querySelector(".cl-predict-status");
    var summary = solution && solution.querySelector("summary");
    var hint = document.createElement("span");
    hint.className = "cl-predict-locked";
    hint.textContent = " (answer the question above first)";
    var answered = false;
    if (summary) {
      (summary.querySelector(".sd-summary-text") || summary).appendChild(hint);
      summary.addEventListener("click", function (event) {
        if (!answered) {
          event.preventDefault();
          status.textContent = "Commit to an answer first, then the solution opens.";
          var first = form.querySelector("input");
          if (first) {
            first.focus();
          }
        }
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answer = form.dataset.answer;
      var unit = form.dataset.unit ? " " + form.dataset.unit : "";
      var right;
      if (form.dataset.kind === "choice") {
        var picked = form.querySelector("input[type=radio]:checked");
        if (!picked) {
          status.textContent = "Pick one of the answers first.";
          return;
        }
        right = picked.value === answer;
      } else {
        var typed = form.querySelector("input").value;
        var value = parseNumber(typed);
        if (value === null) {
          status.textContent = "Type a number (for example 2048), then check.";
          return;
        }
        right = close(value, Number(answer.replace(/,/g, "")), form.dataset.tolerance || "");
      }
      status.textContent = right
        ? "Right: " + answer + unit + ". The solution below shows why."
        : "Not quite: the answer is " + answer + unit + ". The solution below shows why.";
      answered = true;
      hint.remove();
      offerCalculator(form);
    });
  }

  function offerCalculator(form) {
    var name = form.dataset.checkWith;
    var live = name && document.querySelector('form[data-calculator="' + name + '"]');
    if (!live || form.querySelector(".cl-predict-calculator")) {
      return;
    }
    var values = JSON.parse(form.dataset.values || "{}");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cl-predict-calculator";
    button.textContent = "Check it in the live calculator";
    button.addEventListener("click", function () {
      var first = null;
      Object.keys(values).forEach(function (field) {
        var input = live.elements[field];
        if (!input) {
          return;
        }
        if (input.type === "checkbox") {
          input.checked = Boolean(values[field]);
        } else {
          input.value = String(values[field]);
        }
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
        first = first || input;
      });
      live.scrollIntoView({ block: "center" });
      (first || live).focus();
    });
    form.querySelector("fieldset").appendChild(button);
  }

  function start() {
    document.querySelectorAll("form.cl-predict").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
