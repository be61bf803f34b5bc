"""A worker's messages read off its pipe into one buffer (prepare._MessageReader): each
comes back as sent, whatever its size against the buffer and the pipe, and a pipe that
closes early says so as `Connection.recv_bytes` does."""

from __future__ import annotations

import multiprocessing
import os
import struct
import threading

import pytest

from joinedup.ingest import prepare
from joinedup.ingest.prepare import _dumps, _MessageReader, _widen


def _pipe() -> tuple[object, object]:
    receiver, sender = multiprocessing.get_context("spawn").Pipe(duplex=False)
    _widen(receiver)
    return receiver, sender


def _send_all(sender: object, messages: list[object]) -> threading.Thread:
    """Send the messages as a worker's sender does, then close, from a thread of its own
    (they are larger than the pipe holds)."""

    def send() -> None:
        for message in messages:
            sender.send_bytes(_dumps(message))  # type: ignore[attr-defined]
        sender.close()  # type: ignore[attr-defined]

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def test_messages_of_every_size_come_back_in_order() -> None:
    receiver, sender = _pipe()
    messages = [
        ("head", [(b"h" * 32, "R1", None, (1, 0, 0, 1, 0, 0, 1))]),
        ("rows", ({"record": [(1, "x" * 70_000)]}, {"record": 2}, {})),  # over the buffer
        ("rows", ("é" * 3_000_000, b"\x00" * 5_000_000)),  # over the pipe's capacity
        ("done", None),
        ("rows", list(range(100_000))),  # smaller than the one before: the buffer is reused
    ]
    thread = _send_all(sender, messages)
    reader = _MessageReader(receiver)
    try:
        got = [reader.message() for _ in messages]
        with pytest.raises(EOFError):
            reader.message()
    finally:
        thread.join()
        reader.close()
        receiver.close()  # type: ignore[attr-defined]
    assert got == messages


def test_a_pipe_that_ends_inside_a_message_is_an_error_not_an_end() -> None:
    receiver, sender = _pipe()
    data = _dumps(("rows", "x" * 1000))
    fd = sender.fileno()  # type: ignore[attr-defined]
    os.write(fd, struct.pack("!i", len(data)) + data[:500])
    sender.close()  # type: ignore[attr-defined]
    reader = _MessageReader(receiver)
    with pytest.raises(OSError, match="end of file during message"):
        reader.message()
    reader.close()
    receiver.close()  # type: ignore[attr-defined]


def test_the_long_length_frame_is_read_too() -> None:
    # Connection.send_bytes frames a message over 2 GiB as -1 then an 8-byte length.
    receiver, sender = _pipe()
    data = _dumps(("done", None))
    fd = sender.fileno()  # type: ignore[attr-defined]
    os.write(fd, struct.pack("!i", -1) + struct.pack("!Q", len(data)) + data)
    sender.close()  # type: ignore[attr-defined]
    reader = _MessageReader(receiver)
    assert reader.message() == ("done", None)
    reader.close()
    receiver.close()  # type: ignore[attr-defined]


def test_a_buffer_grown_past_the_keep_limit_is_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare, "BUFFER_KEEP_BYTES", 1 << 20)
    receiver, sender = _pipe()
    messages = [("rows", b"a" * 600_000), ("rows", b"b" * 3_000_000), ("done", None)]
    thread = _send_all(sender, messages)
    reader = _MessageReader(receiver)
    sizes = []
    try:
        for message in messages:
            assert reader.message() == message
            sizes.append(len(reader.buffer))
    finally:
        thread.join()
        reader.close()
        receiver.close()  # type: ignore[attr-defined]
    assert sizes[0] >= 600_000  # under the limit: kept for the next message
    assert sizes[1] < 1 << 20  # 3 MB, over the limit: given back once read
    assert sizes[2] == sizes[1]
