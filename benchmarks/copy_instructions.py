"""The PostgreSQL server's work on a batch's COPYs, counted in CPU instructions (callgrind).

    python benchmarks/copy_instructions.py                       # the 1M city, generated
    python benchmarks/copy_instructions.py --city DIR            # a city generated before
    python benchmarks/copy_instructions.py --city DIR --chunk-rows 2000

The same 139,456 records as `benchmarks/insert_instructions.py` (the first 100,000 ANPR
reads, 20,000 police incidents and 20,000 missing-person episodes of the 1M city of
`benchmarks/ingest.py`) are prepared and laid out here for PostgreSQL as a worker would,
in chunks of the store's size (`prepare.rows_per_chunk`) or `--chunk-rows`. Then a
PostgreSQL cluster of its own is made with `initdb` in a temporary folder (autovacuum
off: under valgrind it would take a core for minutes), migrated, and started again with
its postmaster under `valgrind --tool=callgrind --trace-children=yes`; one connection
writes every chunk's COPYs in one transaction, with the foreign-key triggers off as a
batch has them (`session_replication_role = replica`). The backend serving that
connection did the most work of the cluster's processes: its count is printed, in one
JSON object. A wall clock on a shared machine moves with its neighbours; this does not.

Needs valgrind and PostgreSQL's server binaries (`pg_config --bindir`, or
/usr/lib/postgresql/*/bin); run as root it runs the cluster as the `postgres` user. To
compare two versions, run it with each on PYTHONPATH (a git worktree's src).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest_instructions import city_or_generated, need_valgrind
from insert_instructions import _PREPARE, CHILDREN, ROWS

_LOAD = """
import pickle, sys
from joinedup.ingest.prepare import _loads, fewer_collections
from joinedup.ingest.writer import insert_rows
from joinedup.store import make_engine, migrate
from joinedup.store.engine import write_transaction
stage, url, messages_file = sys.argv[1], sys.argv[2], sys.argv[3]
engine = make_engine(url)
if stage == "migrate":
    migrate(engine)
    sys.exit()
messages = pickle.load(open(messages_file, "rb"))
with fewer_collections(), write_transaction(
    engine, lock="ingest", defer_checkpoint=True, row_checks=False
) as conn:
    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    for message in messages:
        insert_rows(conn, _loads(message))
"""

_SUMMARY = re.compile(rb"^summary: (\d+)", re.M)


def _bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                    check=True).stdout.strip())  # fmt: skip
        if (found / "initdb").exists():
            return found
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    sys.exit("PostgreSQL's server binaries (initdb, postgres) were not found")


def _as_server(command: list[str]) -> list[str]:
    """`command` as the cluster's owner: root may not run a PostgreSQL server."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(bindir: Path, port: int, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready = subprocess.run(
            [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        time.sleep(1)
    raise RuntimeError("the cluster did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", type=Path, help="a 1M city generated before (else generated)")
    parser.add_argument("--chunk-rows", type=int, help="rows a chunk (default: the store's)")
    args = parser.parse_args()
    need_valgrind()
    bindir = _bindir()
    from joinedup.ingest import prepare

    chunk_rows = args.chunk_rows or prepare.rows_per_chunk("postgresql")
    with tempfile.TemporaryDirectory(prefix="copy-instructions-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o777)  # the cluster's owner writes its data and counts here
        city = city_or_generated(args.city, work, CHILDREN)
        messages = work / "messages.pickle"
        prepared = subprocess.run(
            [sys.executable, "-c", _PREPARE, str(city), str(messages), json.dumps(ROWS),
             "postgresql", str(chunk_rows)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        shape = json.loads(prepared.stdout)
        data, counts, port = work / "data", work / "counts", _free_port()
        counts.mkdir()
        os.chmod(counts, 0o777)
        subprocess.run(_as_server([str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                                   "-U", "postgres"]), check=True, capture_output=True)  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{work}'\nautovacuum = off\n")  # fmt: skip
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "600"]
        subprocess.run(_as_server([*ctl, "-l", str(work / "plain.log"), "start"]),
                       check=True, capture_output=True)  # fmt: skip
        try:
            subprocess.run([sys.executable, "-c", _LOAD, "migrate", url, ""], check=True)
        finally:
            subprocess.run(_as_server([*ctl, "stop"]), check=True, capture_output=True)
        server = subprocess.Popen(
            _as_server(["valgrind", "--tool=callgrind", "--trace-children=yes",
                        f"--callgrind-out-file={counts}/callgrind.%p",
                        str(bindir / "postgres"), "-D", str(data)]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_ready(bindir, port)
            env = dict(os.environ, PYTHONHASHSEED="0")
            subprocess.run([sys.executable, "-c", _LOAD, "load", url, str(messages)],
                           check=True, env=env)  # fmt: skip
        finally:
            subprocess.run(_as_server([*ctl, "stop", "-m", "fast"]), check=False,
                           capture_output=True)  # fmt: skip
            server.wait(timeout=600)
        found = [_SUMMARY.search(path.read_bytes()) for path in counts.iterdir()]
        backend = max(int(match.group(1)) for match in found if match)
        version = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True,
                                 text=True, check=True).stdout.strip()  # fmt: skip
    print(
        json.dumps(
            {
                "records": shape["records"],
                "chunk_rows": chunk_rows,
                "server_instructions": backend,
                "server_per_record": round(backend / shape["records"]),
                "postgresql": version,
            }
        )
    )


if __name__ == "__main__":
    main()
