"""heron loaded lazily: a child process of heron bench imports heron only when it uses it.

Run as a script (``python .../heron/bench/_light.py --child SPEC``), this module makes
``heron`` a package whose ``__init__`` runs at the first attribute looked up on it, then
runs heron bench's child phase. A peer engine's child thus never loads heron's modules,
numpy or nltk (its memory is its own, as when it runs alone), and heron's child loads them
when its build starts, as the benchmarks always have.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from pathlib import Path
from typing import Any

#: the folder of the heron package
PACKAGE = Path(__file__).resolve().parents[1]


def install_lazy_heron(package: Path = PACKAGE) -> None:
    """Make ``import heron`` give the package at ``package`` with its ``__init__`` not yet
    run: it runs at the first attribute looked up that ``__init__`` defines.

    ``__version__``, ``__file__`` and ``__path__`` are there from the start, and submodules
    import as usual without it. Nothing happens when heron is already imported.
    """
    if "heron" in sys.modules:
        return
    init = package / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "heron", init, submodule_search_locations=[str(package)])
    if spec is None or spec.loader is None:
        return
    module = types.ModuleType("heron")
    module.__spec__ = spec
    module.__loader__ = spec.loader
    module.__file__ = str(init)
    module.__path__ = [str(package)]
    found = re.search(r'^__version__ = "([^"]+)"', init.read_text(encoding="utf-8"), re.M)
    module.__dict__["__version__"] = found.group(1) if found else "unknown"
    loader = spec.loader

    def load(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if (package / f"{name}.py").is_file() or (package / name / "__init__.py").is_file():
            return importlib.import_module(f"heron.{name}")  # a submodule: __init__ can wait
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        return getattr(module, name)

    module.__dict__["__getattr__"] = load
    sys.modules["heron"] = module


if __name__ == "__main__":
    sys.path[0] = str(PACKAGE.parent)  # not this folder: its modules are not top-level
    install_lazy_heron()
    from heron.bench._command import main

    sys.exit(main(sys.argv[1:]))
