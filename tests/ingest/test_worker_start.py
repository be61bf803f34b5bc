"""A worker starts without running the ingest process's main module again: for `joinedup
ingest` that is the console script, which imports the whole CLI (about a second of CPU
in each worker before its first row)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from joinedup.synth import generate_city

SCRIPT = """
import json, sys
from pathlib import Path
if __name__ != "__main__":  # run again, as a spawned process's "__mp_main__"
    Path({marker!r}).write_text(__name__)
from joinedup.ingest import prepare
from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate
if __name__ == "__main__":
    prepare.WORKER_MIN_BYTES = 0  # a small file goes to the workers too
    engine = make_engine(sys.argv[1])
    migrate(engine)
    result = ingest_file(engine, sys.argv[2], "police_stops", actor="test")
    pool = prepare._POOL is not None and prepare._POOL.alive()
    prepare.stop_workers()
    print(json.dumps({{"counts": result.counts(), "pool": pool, "file": __file__,
                      "spec": __spec__}}))
"""


def test_a_worker_does_not_run_the_main_module_again(tmp_path: Path) -> None:
    city = tmp_path / "city"
    generate_city(seed=5, children=20, months=2, out_dir=city)
    marker = tmp_path / "main module run again"
    script = tmp_path / "ingest_script.py"
    script.write_text(SCRIPT.format(marker=str(marker)))
    out = subprocess.run(
        [sys.executable, str(script), f"sqlite:///{tmp_path / 'store.db'}",
         str(city / "police_stops.csv")],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["pool"], "the file went to worker processes"
    counts = report["counts"]
    assert counts["read"] > 0
    assert counts["read"] == counts["stored"] + counts["duplicates"] + counts["quarantined"]
    assert not marker.exists(), "a worker ran the main module again"
    # The main module's name and path are back once the workers have started.
    assert report["file"] == str(script)
    assert report["spec"] is None  # a script run by path has none
