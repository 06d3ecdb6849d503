// The live calculators' Web Worker: starts Pyodide (served by this site, never a CDN),
// imports the book's own package (cloudlab.zip, built from src/ by `make site-js`) and
// answers each form's fields with cloudlab.live.run_json: the JSON that
// `python -m cloudlab NAME ... --json` prints.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
const started = performance.now();
const timings = {}; // stage -> ms since the worker started (for the benchmark)
let loaded = 0;
let total = 0;

function mark(stage) {
  timings[stage] = Math.round(performance.now() - started);
}

function progress() {
  postMessage({ type: "progress", loaded, total });
}

// Count the bytes of every download so the page can say "4 of 21 MB".
const plainFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = async (input, init) => {
  const response = await plainFetch(input, init);
  if (!response.body) return response;
  const counter = new TransformStream({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      progress();
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(counter), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};

async function start() {
  const manifest = await (await plainFetch(new URL("manifest.json", base))).json();
  total = manifest.total;
  progress();
  mark("manifest");
  // Everything downloads at once. Pyodide's package list (pyodide-lock.json, 119 KB) is
  // not fetched: no package is ever loaded, so its header is enough. Python's memory
  // comes from the snapshot the build made (the package imported and warm), gzipped.
  const bundle = fetch(new URL("cloudlab.zip", base)).then((r) => r.arrayBuffer());
  const options = {
    indexURL: new URL("pyodide/", base).href,
    lockFileContents: JSON.stringify({ info: manifest.lock_info, packages: {} }),
  };
  let pyodide;
  if (manifest.snapshot && "DecompressionStream" in globalThis) {
    const snapshot = fetch(new URL(manifest.snapshot, base)).then((r) =>
      new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
    );
    pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot });
    mark("pyodide");
  } else {
    pyodide = await loadPyodide(options);
    mark("pyodide");
  }
  pyodide.unpackArchive(await bundle, "zip", { extractDir: "/home/pyodide/cloudlab_site" });
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/cloudlab_site')");
  mark("bundle");
  const live = pyodide.pyimport("cloudlab.live");
  mark("import");
  return { pyodide, live, modules: manifest.modules };
}

const ready = start();

onmessage = async (event) => {
  const { id, kind } = event.data;
  try {
    if (kind === "timings") {
      postMessage({ type: "timings", id, timings });
      return;
    }
    const { pyodide, live, modules } = await ready;
    if (kind === "import-check") {
      // Import every module the site lists for the browser; report each failure.
      // The snapshot has them imported already: forget them, so each imports afresh.
      pyodide.runPython(
        "import sys\nfor _m in [m for m in sys.modules if m.split('.')[0] == 'cloudlab']:" +
          "\n    del sys.modules[_m]",
      );
      const failures = [];
      for (const name of modules) {
        try {
          pyodide.pyimport(name);
        } catch (error) {
          failures.push(`${name}: ${String(error).split("\n").filter(Boolean).pop()}`);
        }
      }
      postMessage({ type: "import-check", id, modules, failures });
      return;
    }
    const answer = JSON.parse(live.run_json(event.data.name, JSON.stringify(event.data.fields)));
    if (!("first-answer" in timings)) mark("first-answer");
    postMessage({ type: "answer", id, answer });
  } catch (error) {
    postMessage({ type: "failed", id, message: String(error) });
  }
};
