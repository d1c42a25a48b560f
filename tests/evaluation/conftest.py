import pandas as pd
import pytest

from tests.conftest import FIXTURES


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "external" / "mpdta.csv")
