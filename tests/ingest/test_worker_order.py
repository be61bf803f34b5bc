"""A worker's messages keep the order the ingest process reads, however many chunks it
holds prepared ahead (prepare._Worker): per file, each chunk's head then its rows, then
"done"; files in the order given; an error after what the files before still owed."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.ingest import prepare

PLAN = prepare.Plan(b"", {}, {}, 1, 1, "f", datetime(2026, 1, 1))


class _Results:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def send(self, message: tuple[str, Any]) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass


class _Jobs:
    """The jobs pipe as the ingest process fills it: every job first (it sends the next file
    as the batch before begins), and a plan for each head the worker has sent; closed
    once nothing is left to send."""

    def __init__(self, jobs: list[tuple[Any, ...]], results: _Results):
        self.jobs: deque[Any] = deque(jobs)
        self.results = results
        self.plans = 0

    def _owed(self) -> bool:
        return sum(kind == "head" for kind, _ in self.results.sent) > self.plans

    def recv(self) -> Any:
        if self.jobs:
            return self.jobs.popleft()
        if self._owed():
            self.plans += 1
            return PLAN
        raise EOFError

    def poll(self) -> bool:
        return bool(self.jobs) or self._owed()


def _run(
    monkeypatch: pytest.MonkeyPatch,
    chunks: list[int],
    most_held: int,
    fail_reading: int | None = None,
    fail_laying: tuple[int, int] | None = None,
) -> list[tuple[str, Any]]:
    """A worker given one job per entry of `chunks` (that many chunks in the file)."""

    class _Stream:
        def close(self) -> None:
            pass

    def chunked(stream: Any, spec: Any, values: Any, *args: Any) -> Iterator[Any]:
        file = int(stream_paths.pop(0))
        between = args[-1]
        for i in range(chunks[file]):
            if file == fail_reading and i == 1:
                raise ValueError(f"file {file} cannot be read on")
            between()
            yield [(file, i)], True, i

    def lay_out(prepared: list[Any], plan: Any, dialect: str) -> Any:
        if fail_laying == prepared[0]:
            raise ValueError("cannot lay this out")
        return prepared[0]

    stream_paths: list[str] = []
    monkeypatch.setattr(
        prepare, "open_rows", lambda path, spec: stream_paths.append(path) or _Stream()
    )
    monkeypatch.setattr(prepare, "_chunked", chunked)
    monkeypatch.setattr(prepare, "head_of", lambda prepared: prepared[0])
    monkeypatch.setattr(prepare, "lay_out", lay_out)
    jobs = [(str(f), None, "sqlite", 0, 1, 10, most_held) for f in range(len(chunks))]
    results = _Results()
    prepare._Worker(_Jobs(jobs, results), results).run()  # type: ignore[arg-type]
    return results.sent


def _in_order(chunks: list[int]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for file, count in enumerate(chunks):
        for i in range(count):
            out += [("head", ((file, i), True, i)), ("rows", (file, i))]
        out.append(("done", None))
    return out


@given(st.lists(st.integers(0, 5), min_size=1, max_size=4), st.integers(1, 4))
def test_messages_go_in_reading_order_however_many_chunks_are_held(
    chunks: list[int], most_held: int
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _run(monkeypatch, chunks, most_held) == _in_order(chunks)


@given(st.integers(1, 5), st.integers(2, 5), st.integers(1, 4))
def test_a_file_failing_is_told_after_the_file_before(
    before: int, failing: int, most_held: int
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        sent = _run(monkeypatch, [before, failing], most_held, fail_reading=1)
    assert sent[: 2 * before + 1] == _in_order([before])
    rest = sent[2 * before + 1 :]
    # the failing file's first chunk may have been told; then the error, no rows of it
    assert [kind for kind, _ in rest] in (["head", "error"], ["error"])


@given(st.integers(2, 5), st.integers(1, 4))
def test_a_chunk_that_cannot_be_laid_out_is_answered_by_its_error(
    count: int, most_held: int
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        sent = _run(monkeypatch, [count], most_held, fail_laying=(0, 1))
    assert sent[:3] == [("head", ((0, 0), True, 0)), ("rows", (0, 0)), ("head", ((0, 1), True, 1))]
    assert [kind for kind, _ in sent[3:]] == ["error"]
