"""Shared fixtures: the real cue binary, the golden-update flag."""

from __future__ import annotations

import os
import shutil

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The CLI caches renders in the user's cache folder by default: tests that want a cache
    # name a folder of their own (--cache-dir), the others render afresh every time.
    os.environ.setdefault("OAM_RENDER_NO_CACHE", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*/expected* from what the engine renders now")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session", autouse=True)
def _real_cue() -> None:
    if shutil.which("cue") is None:
        pytest.exit("the cue CLI is not on PATH: run the suite through `make test`", returncode=1)
