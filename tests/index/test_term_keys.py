"""Term keys computed for many terms at once equal those computed one by one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.index._format import term_key_2
from heron.index._segment_stream import term_keys_2


@settings(max_examples=200, deadline=None)
@given(terms=st.lists(st.binary(max_size=20), max_size=30))
def test_term_keys_at_once_equal_one_by_one(terms: list[bytes]) -> None:
    blob = np.frombuffer(b"".join(terms), dtype=np.uint8)
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    keys = term_keys_2(blob, lengths)
    assert keys.dtype == np.uint64
    assert keys.tolist() == [term_key_2(0, t) for t in terms]
