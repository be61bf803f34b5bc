"""A worker's messages read off its pipe: `Connection.recv_bytes` against the ingest's reader.

    python benchmarks/worker_pipe.py                       # 300 messages of 3 MB
    python benchmarks/worker_pipe.py --messages 1000 --megabytes 1

A spawned process sends the messages as an ingest worker does (`Connection.send_bytes`);
this process reads them three ways, in turn, each on a new pipe: by `recv_bytes` on a pipe
of Linux's default 64 KB, by `prepare._MessageReader` (into one buffer kept for the pipe)
on a pipe of 64 KB, and by `_MessageReader` on a pipe widened to 1 MB (`prepare._widen`),
as the ingest reads its workers. Prints one JSON object per way and round: the reader's CPU
seconds (user and kernel, getrusage) and the wall time. The messages are random bytes
(marshal's `loads` of them is left out: only the reading is timed).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import time
from typing import Any

from joinedup.ingest.prepare import _MessageReader, _widen


def _send(connection: Any, messages: int, size: int) -> None:
    data = os.urandom(size)
    for _ in range(messages):
        connection.send_bytes(data)
    connection.close()


def _cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def run(way: str, messages: int, size: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    if way == "reader_1mb":
        _widen(receiver)
    process = context.Process(target=_send, args=(sender, messages, size))
    process.start()
    sender.close()
    (user0, sys0), start = _cpu(), time.perf_counter()
    if way == "recv_bytes":
        for _ in range(messages):
            receiver.recv_bytes()
    else:
        reader = _MessageReader(receiver)
        for _ in range(messages):
            reader.receive()  # the bytes in place, without `loads`
        reader.close()
    (user1, sys1), seconds = _cpu(), time.perf_counter() - start
    process.join()
    receiver.close()
    return {
        "way": way, "messages": messages, "bytes_each": size,
        "reader_user_s": round(user1 - user0, 3), "reader_sys_s": round(sys1 - sys0, 3),
        "reader_cpu_s": round(user1 - user0 + sys1 - sys0, 3), "seconds": round(seconds, 3),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--megabytes", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    for _ in range(args.rounds):
        for way in ("recv_bytes", "reader_64kb", "reader_1mb"):
            print(json.dumps(run(way, args.messages, size)), flush=True)


if __name__ == "__main__":
    main()
