"""socialkit: simulate societies with classic and LLM-driven agents, from Jupyter.

The top-level namespace is flat and lazy: submodules and heavy dependencies load on first use, so
``import socialkit as sk`` stays fast.

Examples
--------
>>> import socialkit as sk
>>> sk.datasets.names()["name"].head(2).tolist()
['anes1996', 'acs2018_us']
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (attribute of the same name), loaded on first access
_LAZY_ATTRS = {
    "Run": "socialkit.run",
    "Param": "socialkit.params",
    "Schema": "socialkit.params",
    "Population": "socialkit.population",
    "Persona": "socialkit.population",
    "Likert": "socialkit.llm",
    "Choice": "socialkit.llm",
    "Numeric": "socialkit.llm",
    "FreeText": "socialkit.llm",
    "ask": "socialkit.llm",
    "validate": "socialkit.validation",
    "Simulation": "socialkit.sim",
}
_SUBMODULES = {"datasets", "population", "network", "dynamics", "llm", "memory", "agents", "env", "sim",
               "scenarios", "validation", "experiments", "plot", "widgets", "params", "run"}

__all__ = sorted([*_LAZY_ATTRS, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"socialkit.{name}")
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(_LAZY_ATTRS[name]), name)
    raise AttributeError(f"module 'socialkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
