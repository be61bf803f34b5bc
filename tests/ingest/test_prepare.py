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
