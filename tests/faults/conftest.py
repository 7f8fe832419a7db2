"""The fault suite kills and restarts parts of the stack the other tests use: it runs last.

`pytest_collection_modifyitems` of a conftest sees every collected test, not only this
folder's, so moving the fault tests to the end here orders the whole session (`make test`
runs one pytest). The fault test restores every part and waits until each answers before it
ends, so a test collected after it would still find the stack whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the stack-killing tests of this folder after every other test."""
    killing = [i for i in items if i.path.is_relative_to(HERE) and i.get_closest_marker("slow")]
    items[:] = [i for i in items if i not in killing] + killing
