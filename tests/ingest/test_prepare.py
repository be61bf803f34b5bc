"""Preparing rows: the content hash is taken of canonical JSON, however it is made."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.ingest.prepare import canonical_json, canonical_text_json

ANY_TEXT = st.text(alphabet=st.characters(), max_size=20)  # lone surrogates included


@settings(max_examples=500)
@given(st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=8))
def test_text_rows_get_the_same_canonical_json_either_way(fields: dict[str, str]) -> None:
    assert canonical_text_json(fields) == canonical_json(fields)


def test_canonical_json_is_sorted_compact_and_unescaped() -> None:
    fields = {"b": 'Zoë\t"x"', "a": "\\", "c": "\u2028\x7f\x01"}
    expected = '{"a":"\\\\","b":"Zoë\\t\\"x\\"","c":"\u2028\x7f\\u0001"}'
    assert canonical_text_json(fields) == canonical_json(fields) == expected


# -- workers' messages travel with the same values and types -----------------------------

from datetime import datetime  # noqa: E402

from joinedup.ingest.prepare import QUARANTINE, STORE, Plan, _dumps, _loads, lay_out  # noqa: E402
from joinedup.ingest.writer import ID_TABLES  # noqa: E402


def _typed(value: object) -> object:
    """`value` with the type of everything in it, so that 1 and True, 0.0 and -0.0 differ."""
    if isinstance(value, (list, tuple)):
        return type(value), [_typed(v) for v in value]
    if isinstance(value, dict):
        return dict, [(_typed(k), _typed(v)) for k, v in value.items()]
    return type(value), repr(value)


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT | st.binary(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(ANY_TEXT, inner, max_size=3)
    ),
    max_leaves=12,
)


@given(PLAIN | st.tuples(PLAIN, st.datetimes()))
def test_a_message_comes_back_as_it_was_sent(message: object) -> None:
    assert _typed(_loads(_dumps(message))) == _typed(message)


def test_a_chunks_rows_go_by_marshal_on_both_dialects() -> None:
    # The message exactly as a worker sends it (`lay_out`: the rows, the next ids and
    # what the rows write), so that a name of SQLAlchemy's str subclass anywhere in it,
    # which marshal refuses, sends the whole chunk by pickle (slower both ways) and fails here.
    location = ("camera", "location", "Mill Lane", None, None, None, "C1", "anpr_camera")
    location += (54.1, -0.0, None, False, None, None, None)
    planned = ("R1", 2, None, "anpr_read", None, None, None, (), (), (location,), (), (), None)
    stored = (7, "{}", b"h" * 32, planned, None, "", None)
    refused = (8, '{"a":"1"}', b"q" * 32, None, "a", "not a date", "R2")
    next_ids = {str(table.name): 1 for table in ID_TABLES}
    for dialect in ("sqlite", "postgresql"):
        plan = Plan(bytes([STORE, QUARANTINE]), next_ids, {}, 1, 1, "f.csv", datetime(2024, 1, 1))
        message = ("rows", lay_out([stored, refused], plan, dialect))
        assert message[1][2]["record"][0] == 1  # what the rows write travels too
        data = _dumps(message)
        assert data[:1] != b"\x80", dialect  # not pickle: marshal took it
        assert _typed(_loads(data)) == _typed(message)
