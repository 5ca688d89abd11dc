"""Workflow tables are pure: these tests need no app and no database."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    yield
