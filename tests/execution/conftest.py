"""The execution tests read the real data folder where it exists (see exec_helpers.DATA)."""

from __future__ import annotations

import pytest

from codestilts.data import DATA_ENV

from exec_helpers import DATA


@pytest.fixture(autouse=True)
def data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """CODESTILTS_DATA names the real data folder, as benchmarks read it from there alone."""
    if DATA.is_dir():
        monkeypatch.setenv(DATA_ENV, str(DATA))
