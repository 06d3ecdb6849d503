// Live calculators: each <form data-calculator="NAME"> recomputes in the reader's
// browser with the book's own Python (see worker.js). Python starts only when the reader
// first enters a form (to edit it or press "Run live"); nothing is sent anywhere. The
// inputs of each form live in the URL fragment ("#live-ip-1?address=10.1.2.3%2F20"),
// several forms separated by ";", so a link reopens a worked example; other fragments
// (heading anchors) are left alone.
//
// A classic (deferred) script, not a module: browsers refuse module scripts on pages
// opened from file://, and this script must run there to say what to do instead.
(() => {
  "use strict";
  const HERE = document.currentScript.src;
  const PREFIX = "live-";
  const forms = [...document.querySelectorAll("form[data-calculator]")];
  let worker = null;
  let nextId = 1;
  const pending = new Map();
  const latest = new Map(); // form id -> id of its newest request

  function megabytes(bytes) {
    return Math.round(bytes / 1e6);
  }

  function status(text) {
    for (const form of forms) form.querySelector(".cl-live-status").textContent = text;
  }

  function startWorker() {
    if (worker) return worker;
    status("Starting Python in your browser…");
    worker = new Worker(new URL("./worker.js", HERE), { type: "module" });
    worker.onmessage = (event) => {
      const message = event.data;
      if (message.type === "progress") {
        const total = megabytes(message.total);
        const loaded = Math.min(megabytes(message.loaded), total);
        status(`Starting Python in your browser, ${loaded} of ${total} MB`);
        return;
      }
      const done = pending.get(message.id);
      pending.delete(message.id);
      if (done) done(message);
    };
    return worker;
  }

  function ask(request) {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      startWorker().postMessage({ ...request, id });
    });
  }

  function fieldsOf(form) {
    const fields = {};
    for (const input of form.querySelectorAll("input[name]")) {
      fields[input.name] = input.type === "checkbox" ? (input.checked ? "on" : "") : input.value;
    }
    return fields;
  }

  function fill(form, fields) {
    for (const input of form.querySelectorAll("input[name]")) {
      if (!(input.name in fields)) continue;
      if (input.type === "checkbox") input.checked = Boolean(fields[input.name]);
      else input.value = fields[input.name];
    }
  }

  function readFragment() {
    const states = new Map();
    if (!location.hash.startsWith("#" + PREFIX)) return states; // a heading anchor
    for (const part of location.hash.slice(1).split(";")) {
      const cut = part.indexOf("?");
      if (cut < 0 || !part.startsWith(PREFIX)) continue;
      states.set(part.slice(0, cut), Object.fromEntries(new URLSearchParams(part.slice(cut + 1))));
    }
    return states;
  }

  const edited = new Map(); // form id -> fields, for the fragment

  function fragment() {
    return [...edited].map(([id, fields]) => `${id}?${new URLSearchParams(fields)}`).join(";");
  }

  const STREAK = "cloudlab-practice-streak"; // kept in this browser only, never sent

  function showStreak(form) {
    const box = form.querySelector(".cl-live-streak");
    if (box) box.textContent = `Streak: ${Number(localStorage.getItem(STREAK) || 0)}`;
  }

  function countStreak(form, data) {
    if (!data || !("correct" in data)) return;
    const streak = data.correct ? Number(localStorage.getItem(STREAK) || 0) + 1 : 0;
    localStorage.setItem(STREAK, String(streak));
    showStreak(form);
  }

  async function compute(form, checking = false) {
    const id = form.id;
    const fields = fieldsOf(form);
    edited.set(id, fields);
    history.replaceState(null, "", "#" + fragment());
    const request = nextId;
    latest.set(id, request);
    const message = await ask({ kind: "run", name: form.dataset.calculator, fields });
    if (latest.get(id) !== request) return; // a newer edit is on its way
    const alert = form.querySelector("[role=alert]");
    const result = form.querySelector("output[data-result]");
    const view = form.querySelector(".cl-live-view");
    if (message.type !== "answer") {
      alert.textContent = "Python could not run here: " + message.message;
      result.textContent = "";
      view.innerHTML = "";
      form.dataset.fields = JSON.stringify(fields);
      return;
    }
    status("Python is running in your browser");
    alert.textContent = message.answer.error || "";
    result.textContent = message.answer.result || "";
    view.innerHTML = message.answer.view || "";
    const command = form.querySelector(".cl-live-command");
    if (command && message.answer.command) command.textContent = message.answer.command;
    if (checking && message.answer.result) countStreak(form, JSON.parse(message.answer.result));
    form.dataset.computed = String(request);
    form.dataset.fields = JSON.stringify(fields);
  }

  function debounce(fn, ms) {
    let timer = null;
    const later = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
    later.cancel = () => clearTimeout(timer);
    return later;
  }

  function setUp(form) {
    if (location.protocol === "file:") {
      form.querySelector(".cl-live-status").textContent =
        "Browsers block Python from pages opened as files: run `make serve` and open " +
        "http://127.0.0.1:8000/ to use this calculator live.";
      form.querySelector(".cl-live-run").disabled = true;
      return;
    }
    // Python starts at the reader's first edit (or a press of Run), not before: a page
    // only read, or a keyboard passing through its fields, never loads it. It starts at
    // once, so it is warming up during the short wait before the first recompute.
    const later = debounce(() => compute(form), 150);
    const practice = form.dataset.calculator === "practice";
    const onEdit = (event) => {
      startWorker();
      if (practice && event.target.name === "answer") return; // checked on "Check" only
      if (practice && event.type === "input") form.elements.answer.value = "";
      later();
    };
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      later.cancel(); // this answer supersedes a pending recompute, never the other way
      compute(form, practice);
    });
    if (practice) {
      showStreak(form);
      form.querySelector(".cl-live-next").addEventListener("click", () => {
        form.elements.seed.value = String(1 + Math.floor(Math.random() * 1_000_000));
        form.elements.answer.value = "";
        compute(form);
      });
    }
    form.querySelector(".cl-live-copy").addEventListener("click", async () => {
      const fields = fieldsOf(form);
      edited.set(form.id, fields);
      const url = location.href.split("#")[0] + "#" + fragment();
      history.replaceState(null, "", url);
      try {
        await navigator.clipboard.writeText(url);
        form.querySelector(".cl-live-status").textContent = "Link copied";
      } catch {
        form.querySelector(".cl-live-status").textContent = "Link: " + url;
      }
    });
  }

  forms.forEach(setUp);

  // Test and benchmark hooks: import every module listed for the browser inside Pyodide;
  // run one calculator without touching a form.
  window.cloudlabLive = {
    importCheck: () => ask({ kind: "import-check" }),
    timings: () => ask({ kind: "timings" }).then((message) => message.timings),
    run: (name, fields) => ask({ kind: "run", name, fields }),
  };

  const states = readFragment();
  for (const form of forms) {
    const state = states.get(form.id);
    if (state && location.protocol !== "file:") {
      fill(form, state);
      compute(form);
      form.scrollIntoView();
    }
  }
})();
