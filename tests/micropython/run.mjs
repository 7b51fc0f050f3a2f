// Runs Python code under the MicroPython WebAssembly build the widget ships with.
// node run.mjs CODE FILE... : FILEs are written into MicroPython's filesystem first, so
// CODE can import them; CODE may use top-level await.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript/micropython.mjs";

const [code, ...files] = process.argv.slice(2);
const mp = await loadMicroPython({ stdout: (line) => process.stdout.write(line + "\n") });
for (const file of files) mp.FS.writeFile(basename(file), readFileSync(file, "utf8"));
await mp.runPythonAsync(code);
