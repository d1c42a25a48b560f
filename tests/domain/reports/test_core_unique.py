"""The core's sort-based distinct values equal numpy's."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from finsam.domain.reports.core import unique_ints


@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(-(2**40), 2**40)))
def test_unique_ints_equals_numpy_unique(values):
    got = unique_ints(values)
    np.testing.assert_array_equal(got, np.unique(values))
    assert got.dtype == np.int64
