// The widget's Pyodide, started from the memory snapshot made at set-up
// (scripts/make-pyodide-snapshot.mjs) when there is one: PyScript's `interpreter`
// setting points here, and PyScript calls `loadPyodide` as it would Pyodide's own.
// Served next to pyodide.mjs, so both relative URLs below are the runtime's.
//
// Restoring the snapshot skips the interpreter's start and the imports made before it
// was taken. Should it not load or not match this build, Pyodide starts as usual.
import { loadPyodide as loadPlain, version } from "./pyodide.mjs";

export { version };

const SNAPSHOT = new URL("./crm-bridge.snapshot", import.meta.url).href;

export async function loadPyodide(options) {
  // Pyodide fetches and compiles its WebAssembly while the snapshot downloads.
  const snapshot = fetch(SNAPSHOT).then((response) => {
    if (!response.ok) throw new Error(`the snapshot: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  try {
    const pyodide = await loadPlain({ ...options, _loadSnapshot: snapshot });
    // Every page restored the same random state: seed it from the browser's entropy.
    pyodide.runPython("import random; random.seed()");
    return pyodide;
  } catch (error) {
    console.warn("crm-bridge: Pyodide starts without its snapshot:", error);
    return loadPlain(options);
  }
}
