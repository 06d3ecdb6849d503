// Tell @jupyter-widgets/html-manager where its own files (icon fonts) are: in
// html-manager/ next to this script. Its AMD modules find their assets from their
// RequireJS module URLs, which by default are relative to the page and so 404.
(function () {
  var here = new URL("html-manager", document.currentScript.src).href;
  var config = {
    paths: {
      "@jupyter-widgets": here,
      "@jupyter-widgets/html-manager/dist": here,
    },
  };
  window.__jupyter_widgets_assets_path__ = here + "/";
  if (window.requirejs) {
    window.requirejs.config(config);
  } else {
    // Read by require.js as its configuration when it loads after this script.
    window.require = config;
  }
})();
