// Make the live calculators' Pyodide memory snapshot (run by tools/build_live.py).
//
//     node tools/live_snapshot.mjs PYODIDE_DIR BUNDLE MODULES_JSON WARM_JSON OUT
//
// Starts Pyodide in Node from the pinned npm package, unpacks the book's package (the
// bundle), imports every browser module, runs each live calculator once (so that their
// lazy imports and caches are warm), then writes Python's memory, gzip-compressed, to
// OUT. The browser restores it instead of starting Python from scratch: Pyodide's own
// start-up (the interpreter and its standard library) is most of a cold start.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";

const [pyodideDir, bundle, modulesJson, warmJson, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, _makeSnapshot: true });
pyodide.unpackArchive(new Uint8Array(readFileSync(bundle)), "zip", {
  extractDir: "/home/pyodide/cloudlab_site",
});
pyodide.globals.set("MODULES_JSON", readFileSync(modulesJson, "utf8"));
pyodide.globals.set("WARM_JSON", readFileSync(warmJson, "utf8"));
pyodide.runPython(`
import importlib, json, sys
sys.path.insert(0, "/home/pyodide/cloudlab_site")
for name in json.loads(MODULES_JSON):
    importlib.import_module(name)
from cloudlab.live import run
for name, fields in json.loads(WARM_JSON):
    answer = run(name, fields)
    if answer["error"]:
        raise SystemExit(f"warming {name} {fields}: {answer['error']}")
del MODULES_JSON, WARM_JSON, name, fields, answer, run
`);
const snapshot = pyodide.makeMemorySnapshot();
writeFileSync(out, gzipSync(snapshot, { level: 6 }));
console.log(`snapshot: ${(snapshot.byteLength / 1e6).toFixed(1)} MB of memory`);
