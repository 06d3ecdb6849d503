// Give every widget slider an accessible name. ipywidgets draws a slider as a noUiSlider
// whose handle (role="slider", the element that takes keyboard focus) is not tied to the
// slider's visible description, so a screen reader announces a nameless slider (axe
// aria-input-field-name, WCAG 4.1.2). cloudlab.widgets gives every slider a description;
// this names each handle by it (aria-labelledby), as the handles appear. Loads before
// html-manager/embed-amd.js, on pages that show widgets only.
(function () {
  var next = 0;
  function name(root) {
    var handles = root.querySelectorAll(".widget-slider [role='slider']:not([aria-labelledby])");
    handles.forEach(function (handle) {
      var box = handle.closest(".widget-slider");
      var label = box && box.querySelector(".widget-label");
      if (!label || !label.textContent.trim()) {
        return;
      }
      if (!label.id) {
        label.id = "cloudlab-slider-label-" + next++;
      }
      handle.setAttribute("aria-labelledby", label.id);
    });
  }
  function start() {
    name(document);
    new MutationObserver(function () {
      name(document);
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
