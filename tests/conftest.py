"""Shared fixtures: the real cue binary, the golden-update flag."""

from __future__ import annotations

import shutil

import pytest


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
