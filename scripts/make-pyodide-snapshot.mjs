// Makes the memory snapshot the widget's Pyodide starts from (server/widget_assets.py
// serves it; server/pyodide_start.mjs loads it). Run by `./dev setup` after `npm ci`.
//
// The snapshot is Pyodide's memory once the interpreter has started and imported the
// standard modules the widget uses: restoring it skips both. It is tied to the exact
// Pyodide build, so it is named after the installed version and made again when that
// changes. Only pure-Python standard modules are imported: Pyodide cannot snapshot
// loaded packages or references to JavaScript objects yet.
//
//   node scripts/make-pyodide-snapshot.mjs [node_modules]
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const IMPORTS = "import asyncio, json, random, time";
const nodeModules = resolve(process.argv[2] ?? "node_modules");
const pyodideDir = join(nodeModules, "pyodide");
const { version } = JSON.parse(readFileSync(join(pyodideDir, "package.json"), "utf8"));
const folder = join(nodeModules, ".crm-bridge");
const target = join(folder, `pyodide-${version}.snapshot`);

if (existsSync(target) && existsSync(`${target}.gz`)) {
  process.exit(0);
}
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ _makeSnapshot: true });
pyodide.runPython(IMPORTS);
const snapshot = pyodide.makeMemorySnapshot();
mkdirSync(folder, { recursive: true });
// Written under other names first: a snapshot is either whole or absent.
writeFileSync(`${target}.gz.part`, gzipSync(snapshot, { level: 6 }));
writeFileSync(`${target}.part`, snapshot);
renameSync(`${target}.gz.part`, `${target}.gz`);
renameSync(`${target}.part`, target);
console.log(`Pyodide ${version}: memory snapshot of ${snapshot.length} bytes in ${target}`);
