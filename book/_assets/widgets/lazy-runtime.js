// Load the widget runtime only when a reader comes near a static widget.
// require.js and @jupyter-widgets/html-manager weigh 0.9 MB gzipped; a chapter loads them
// the first time one of its widgets is within two screens of the window (scrolling,
// following a link, moving keyboard focus), so a reader who only reads the text never
// downloads them. The scripts to load, in order, are in this tag's data-runtime (written
// by book/_ext/cloudlab_site.py); html-manager renders every widget of the page once
// loaded, whenever that is.
(function () {
  var urls = JSON.parse(document.currentScript.dataset.runtime);
  var started = false;
  function load() {
    if (started) {
      return;
    }
    started = true;
    urls.forEach(function (url) {
      var script = document.createElement("script");
      script.src = url;
      script.async = false; // run in the listed order
      document.head.appendChild(script);
    });
  }
  function watch() {
    var views = document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]'
    );
    if (!("IntersectionObserver" in window)) {
      load();
      return;
    }
    var near = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          near.disconnect();
          load();
        }
      },
      { rootMargin: "200% 0px" }
    );
    views.forEach(function (view) {
      near.observe(view.parentElement);
    });
    // Printing shows every widget's place: load before the print is laid out.
    window.addEventListener("beforeprint", load);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
