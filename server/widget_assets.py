"""Where the widget's files live and the URLs they are served at.

Browser packages come from npm (``node_modules``): the Python runtimes, an in-memory
IndexedDB for the widget and libphonenumber-js for ``embed.js``. Their URLs carry the
package version and widget files carry a content hash, so both can be cached for a year
(``immutable``) and a new release is fetched at once.

Pyodide starts from a memory snapshot when set-up made one for the installed version
(`PyodideSnapshot`): its ``interpreter`` is then our start module, which loads the
snapshot and falls back to a plain start.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WIDGET_DIR = PROJECT_ROOT / "widget"
STATIC_DIR = PROJECT_ROOT / "static"
WIDGET_MODULES = (
    "messages.py",
    "protocol.py",
    "session_state.py",
    "controller.py",
    "server_api.py",
    "live_stream.py",
    "main.py",
)

# name in URLs -> (npm package, the folder of it that is served)
BROWSER_PACKAGES = {
    "pyscript": ("@pyscript/core", "dist"),
    "micropython": ("@micropython/micropython-webassembly-pyscript", ""),
    "pyodide": ("pyodide", ""),
    # PyScript opens IndexedDB at start; where the browser denies storage to the widget's
    # frame (a third party), the widget page gives it an in-memory one.
    "fake-indexeddb": ("fake-indexeddb", ""),
    "libphonenumber-js": ("libphonenumber-js", "bundle"),
    # The admin page "Reports" draws its charts with uPlot.
    "uplot": ("uplot", "dist"),
}
PHONE_NUMBER_BUNDLE = "libphonenumber-max.js"  # full metadata: fewer false finds in text
PHONE_NUMBERS_LATEST = "/vendor/libphonenumber-js.mjs"  # what embed.js imports
INTERPRETER_FILES = {"micropython": "micropython.mjs", "pyodide": "pyodide.mjs"}
# What the runtimes fetch before `ready`, named in the widget page's head so the browser
# fetches it all at once instead of as each file discovers the next (`preloads`).
# PyScript's chunks that every start imports, by the names' stems (their hashes change):
PYSCRIPT_CHUNKS = ("core-", "deprecations-manager-", "donkey-", "error-", "py-editor-",
                   "py-game-", "py-terminal-")  # fmt: skip
RUNTIME_FETCHES = {
    "micropython": ("micropython.wasm",),
    "pyodide": ("pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"),
}
RUNTIME_MODULES = {"micropython": (), "pyodide": ("pyodide.mjs", "pyodide.asm.mjs")}
PYODIDE_START = Path(__file__).with_name("pyodide_start.mjs")
SNAPSHOT_NAME = "./crm-bridge.snapshot"  # in pyodide_start.mjs, replaced by the hashed name


class MissingBrowserPackages(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class BrowserPackage:
    name: str
    version: str
    directory: Path

    @property
    def prefix(self) -> str:
        return f"/runtime/{self.name}@{self.version}"


def _content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class PyodideSnapshot:
    """The memory snapshot made at set-up (scripts/make-pyodide-snapshot.mjs) for this
    Pyodide version, and the start module that loads it, both at hashed URLs."""

    path: Path  # the snapshot; ``.gz`` next to it is sent to browsers that accept gzip
    url: str
    start_module: str  # JavaScript
    start_url: str

    @classmethod
    def find(cls, node_modules: Path, pyodide: BrowserPackage) -> "PyodideSnapshot | None":
        path = node_modules / ".crm-bridge" / f"pyodide-{pyodide.version}.snapshot"
        packed = path.with_name(path.name + ".gz")
        if not (path.is_file() and packed.is_file()):
            return None
        name = f"crm-bridge-{_content_hash(packed)}.snapshot"
        module = PYODIDE_START.read_text(encoding="utf-8").replace(SNAPSHOT_NAME, f"./{name}")
        module_hash = hashlib.sha256(module.encode()).hexdigest()[:12]
        return cls(
            path=path,
            url=f"{pyodide.prefix}/{name}",
            start_module=module,
            start_url=f"{pyodide.prefix}/crm-bridge-start-{module_hash}.mjs",
        )


class WidgetAssets:
    def __init__(self, node_modules: Path | None = None) -> None:
        node_modules = node_modules or PROJECT_ROOT / "node_modules"
        self.packages: dict[str, BrowserPackage] = {}
        for name, (package, subdir) in BROWSER_PACKAGES.items():
            manifest = node_modules / package / "package.json"
            if not manifest.is_file():
                raise MissingBrowserPackages(
                    f"browser package {package} is not installed under {node_modules}: "
                    "run `npm ci` in the project folder"
                )
            version = json.loads(manifest.read_text())["version"]
            self.packages[name] = BrowserPackage(name, version, node_modules / package / subdir)
        self.pyodide_snapshot = PyodideSnapshot.find(node_modules, self.packages["pyodide"])
        self.module_hashes = {name: _content_hash(WIDGET_DIR / name) for name in WIDGET_MODULES}
        self.static_hashes = {
            path.name: _content_hash(path) for path in STATIC_DIR.iterdir() if path.is_file()
        }

    def runtime_url(self, name: str, file: str) -> str:
        return f"{self.packages[name].prefix}/{file}"

    def interpreter_url(self, runtime: str) -> str:
        if runtime == "pyodide" and self.pyodide_snapshot is not None:
            return self.pyodide_snapshot.start_url
        return self.runtime_url(runtime, INTERPRETER_FILES[runtime])

    def preloads(self, runtime: str) -> dict[str, list[str]]:
        """What the widget page asks the browser to fetch at once: ``modules`` (for
        ``<link rel=modulepreload>``) and ``fetches`` (``<link rel=preload as=fetch>``,
        fetched as the runtimes fetch them: same-origin, with ``crossorigin``)."""
        pyscript = self.packages["pyscript"]
        chunks = sorted(
            path.name
            for path in pyscript.directory.glob("*.js")
            if path.name.startswith(PYSCRIPT_CHUNKS)
        )
        modules = [self.runtime_url("pyscript", name) for name in ("core.js", *chunks)]
        modules.append(self.interpreter_url(runtime))
        modules += [self.runtime_url(runtime, name) for name in RUNTIME_MODULES[runtime]]
        fetches = [self.runtime_url(runtime, name) for name in RUNTIME_FETCHES[runtime]]
        if runtime == "pyodide" and self.pyodide_snapshot is not None:
            fetches.append(self.pyodide_snapshot.url)
        fetches += [self.module_url(name) for name in WIDGET_MODULES]
        return {"modules": modules, "fetches": fetches}

    def module_url(self, name: str) -> str:
        return f"/widget/py/{name}?v={self.module_hashes[name]}"

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.static_hashes[name]}"

    @property
    def phone_number_module_url(self) -> str:
        """Where ``embed.js`` imports libphonenumber-js from (versioned, so cached for good)."""
        return f"/vendor/libphonenumber-js@{self.packages['libphonenumber-js'].version}.mjs"

    def phone_number_module(self) -> str:
        """libphonenumber-js's browser build as an ES module.

        The build is UMD: given ``module`` and ``exports`` it fills them instead of setting
        a global (or calling an AMD ``define``) in the CRM's page, which is not ours. Its
        source map line is left out: the map would not match the lines added here.
        """
        bundle = self.packages["libphonenumber-js"].directory / PHONE_NUMBER_BUNDLE
        code = "\n".join(
            line
            for line in bundle.read_text(encoding="utf-8").splitlines()
            if not line.startswith("//# sourceMappingURL=")
        )
        return (
            "const module = { exports: {} };\nconst exports = module.exports;\n"
            f"{code}\nexport default module.exports;\n"
        )

    def pyscript_config(self, runtime: str) -> dict[str, object]:
        """The ``config`` of the widget's ``<script type="mpy|py">``: interpreter and files."""
        return {
            "interpreter": self.interpreter_url(runtime),
            "files": {self.module_url(n): f"./{n}" for n in WIDGET_MODULES if n != "main.py"},
        }
