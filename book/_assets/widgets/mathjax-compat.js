// ipywidgets typesets widget labels with MathJax 2's `MathJax.Hub.Queue`, but the book
// loads MathJax 3, which has no `Hub`: every widget on a page with maths would throw.
// Give whatever `window.MathJax` becomes (the config object, then MathJax 3 itself) a
// small `Hub.Queue` that forwards to MathJax 3's typesetPromise. Loads before
// html-manager/embed-amd.js.
(function () {
  function typeset(job) {
    var element = job && job[2];
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise && mj.typesetPromise) {
      mj.startup.promise
        .then(function () {
          return mj.typesetPromise(element ? [element] : undefined);
        })
        .catch(function () {});
    }
  }
  function patch(value) {
    if (value && typeof value === "object" && !value.Hub) {
      value.Hub = { Queue: typeset };
    }
    return value;
  }
  var current = patch(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = patch(value);
    },
  });
})();
