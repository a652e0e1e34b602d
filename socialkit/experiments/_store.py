"""A sweep's folder: its plan, one small JSON record per finished run, and the runs themselves.

```
folder/
  sweep.json            the plan (target, fingerprint, every planned run) and socialkit version
  results/<run_id>.json one record per finished run: parameters, seed, status, error, outcomes,
                        usage, seconds (written atomically: a record exists only complete)
  runs/<run_id>/        the Run (Run.to_parquet), moved into place in one rename
  budget.sqlite         the shared budget's ledger (when the sweep has a budget)
```

Every write is atomic (a temporary name, then one rename), so a sweep killed at any moment
(kill -9) leaves either a complete record or none: on restart a run without a record is run again.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1


def jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return jsonable(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else x
    if x is None or isinstance(x, bool | int | float | str):
        return x
    return repr(x)


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(jsonable(data), indent=1, sort_keys=True))
    os.replace(tmp, path)


class Store:
    """Read and write a sweep folder."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder).expanduser().absolute()  # workers may start elsewhere
        self.results = self.folder / "results"
        self.runs = self.folder / "runs"

    @property
    def plan_path(self) -> Path:
        return self.folder / "sweep.json"

    def read_plan(self) -> dict[str, Any] | None:
        if not self.plan_path.exists():
            return None
        try:
            meta = json.loads(self.plan_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{self.plan_path} is damaged (not valid JSON: {err})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or "runs" not in meta:
            raise ValueError(f"{self.plan_path} is not a socialkit sweep plan")
        return meta

    def write_plan(self, meta: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.results.mkdir(exist_ok=True)
        self.runs.mkdir(exist_ok=True)
        write_json(self.plan_path, {"format": FORMAT, **meta})

    def records(self) -> dict[str, dict[str, Any]]:
        """Every finished run's record, by run id (damaged records are skipped: rerun)."""
        out = {}
        if not self.results.exists():
            return out
        for p in self.results.glob("r*.json"):
            try:
                rec = json.loads(p.read_text())
            except (json.JSONDecodeError, UnicodeDecodeError, OSError):
                continue
            if isinstance(rec, dict) and rec.get("run_id") == p.stem:
                out[p.stem] = rec
        return out

    def write_record(self, record: dict[str, Any]) -> None:
        self.results.mkdir(parents=True, exist_ok=True)
        write_json(self.results / f"{record['run_id']}.json", record)

    @property
    def stop_path(self) -> Path:
        return self.folder / "STOP"

    def request_stop(self) -> None:
        """Tell the runs not yet started to skip themselves (the budget ran out)."""
        self.stop_path.write_text("the budget ran out: runs not yet started skip themselves\n")

    def clear_stop(self) -> None:
        self.stop_path.unlink(missing_ok=True)

    def stopping(self) -> bool:
        return self.stop_path.exists()

    def run_folder(self, run_id: str) -> Path:
        return self.runs / run_id

    def write_run(self, run: Any, run_id: str) -> Path:
        """Write the run under a temporary name and rename it into place (replacing a copy left
        by an earlier attempt whose record was never written)."""
        self.runs.mkdir(parents=True, exist_ok=True)
        final = self.run_folder(run_id)
        tmp = self.runs / f".{run_id}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        run.to_parquet(tmp)
        if final.exists():
            old = self.runs / f".{run_id}.old.{uuid.uuid4().hex[:8]}"
            try:
                os.rename(final, old)
                shutil.rmtree(old, ignore_errors=True)
            except FileNotFoundError:  # another worker just did it
                pass
        try:
            os.rename(tmp, final)
        except OSError:  # another worker wrote the same (deterministic) run meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
        return final
