import os

import pytest

os.environ.setdefault("PLOTLY_RENDERER", "json")


@pytest.fixture(scope="session")
def anes():
    import socialkit as sk

    return sk.datasets.load("anes1996")
