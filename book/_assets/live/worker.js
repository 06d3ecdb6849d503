// The live calculators' Web Worker: starts Pyodide (served by this site, never a CDN),
// imports the book's own package (cloudlab.zip, built from src/ by `make site-js`) and
// answers each form's fields with cloudlab.live.run_json: the JSON that
// `python -m cloudlab NAME ... --json` prints.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
let loaded = 0;
let total = 0;

function progress() {
  postMessage({ type: "progress", loaded, total });
}

// Count the bytes of every download so the page can say "4 of 13 MB".
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
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", base).href });
  const bundle = await (await fetch(new URL("cloudlab.zip", base))).arrayBuffer();
  pyodide.unpackArchive(bundle, "zip", { extractDir: "/home/pyodide/cloudlab_site" });
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/cloudlab_site')");
  const live = pyodide.pyimport("cloudlab.live");
  return { pyodide, live, modules: manifest.modules };
}

const ready = start();

onmessage = async (event) => {
  const { id, kind } = event.data;
  try {
    const { pyodide, live, modules } = await ready;
    if (kind === "import-check") {
      // Import every module the site lists for the browser; report each failure.
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
    postMessage({ type: "answer", id, answer });
  } catch (error) {
    postMessage({ type: "failed", id, message: String(error) });
  }
};
