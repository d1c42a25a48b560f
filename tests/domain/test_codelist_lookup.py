"""The code lists' dict look-up answers exactly as a scan of their codes."""

import pickle

from hypothesis import given
from hypothesis import strategies as st

from finsam.domain import codelists as cl
from finsam.domain.codelists import Code, CodeList
from finsam.domain.finance import budget

LISTS = [v for m in (cl, budget) for v in vars(m).values() if isinstance(v, CodeList)]
KNOWN = sorted({c.code for lst in LISTS for c in lst.codes})


def _scan_get(lst: CodeList, code):
    return next((c for c in lst.codes if c.code == code), None)


def test_every_list_answers_like_a_scan_for_every_known_code():
    assert len(LISTS) > 10
    for lst in LISTS:
        for code in [*KNOWN, "", "x", None, 1]:
            assert (code in lst) == (_scan_get(lst, code) is not None)
            assert lst.get(code) is _scan_get(lst, code)


@given(st.one_of(st.text(max_size=6), st.integers(), st.none(), st.lists(st.text(), max_size=2)))
def test_arbitrary_values_are_answered_like_a_scan(value):
    for lst in LISTS:
        assert (value in lst) == (_scan_get(lst, value) is not None)


def test_first_of_duplicate_codes_wins_and_lists_stay_comparable_and_picklable():
    lst = CodeList("t", "T", (Code("A", "first"), Code("A", "second")))
    assert lst.get("A").label == "first"
    assert lst == CodeList("t", "T", (Code("A", "first"), Code("A", "second")))
    assert hash(lst) == hash(CodeList("t", "T", (Code("A", "first"), Code("A", "second"))))
    copy = pickle.loads(pickle.dumps(cl.SUPPORT))  # noqa: S301 (our own bytes)
    assert copy == cl.SUPPORT and "SJP" in copy and copy.get("AKE").bit == 1
