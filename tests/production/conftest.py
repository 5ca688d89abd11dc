"""Fixtures for tests on the real services: see tests/live.py."""

import pytest

from tests.conftest import mark_folder
from tests.live import fresh_database, live_app  # noqa: F401


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_folder(items, __file__, pytest.mark.system)
