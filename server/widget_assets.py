"""Where the widget's files live and the URLs they are served at.

Browser runtimes come from npm (``node_modules``); their URLs carry the package version
and widget files carry a content hash, so both can be cached for a year (``immutable``)
and a new release is fetched at once.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WIDGET_DIR = PROJECT_ROOT / "widget"
STATIC_DIR = PROJECT_ROOT / "static"
WIDGET_MODULES = ("protocol.py", "session_state.py", "controller.py", "server_api.py", "main.py")

# name in URLs -> npm package, entry file of the interpreter (if it is one)
RUNTIME_PACKAGES = {
    "pyscript": ("@pyscript/core", "dist"),
    "micropython": ("@micropython/micropython-webassembly-pyscript", ""),
    "pyodide": ("pyodide", ""),
}
INTERPRETER_FILES = {"micropython": "micropython.mjs", "pyodide": "pyodide.mjs"}


class MissingRuntimes(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Runtime:
    name: str
    version: str
    directory: Path

    @property
    def prefix(self) -> str:
        return f"/runtime/{self.name}@{self.version}"


def _content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


class WidgetAssets:
    def __init__(self, node_modules: Path | None = None) -> None:
        node_modules = node_modules or PROJECT_ROOT / "node_modules"
        self.runtimes: dict[str, Runtime] = {}
        for name, (package, subdir) in RUNTIME_PACKAGES.items():
            manifest = node_modules / package / "package.json"
            if not manifest.is_file():
                raise MissingRuntimes(
                    f"browser runtime {package} is not installed under {node_modules}: "
                    "run `npm ci` in the project folder"
                )
            version = json.loads(manifest.read_text())["version"]
            self.runtimes[name] = Runtime(name, version, node_modules / package / subdir)
        self.module_hashes = {name: _content_hash(WIDGET_DIR / name) for name in WIDGET_MODULES}
        self.static_hashes = {
            path.name: _content_hash(path) for path in STATIC_DIR.iterdir() if path.is_file()
        }

    def runtime_url(self, name: str, file: str) -> str:
        return f"{self.runtimes[name].prefix}/{file}"

    def interpreter_url(self, runtime: str) -> str:
        return self.runtime_url(runtime, INTERPRETER_FILES[runtime])

    def module_url(self, name: str) -> str:
        return f"/widget/py/{name}?v={self.module_hashes[name]}"

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.static_hashes[name]}"

    def pyscript_config(self, runtime: str) -> dict[str, object]:
        """The ``config`` of the widget's ``<script type="mpy|py">``: interpreter and files."""
        return {
            "interpreter": self.interpreter_url(runtime),
            "files": {self.module_url(n): f"./{n}" for n in WIDGET_MODULES if n != "main.py"},
        }
