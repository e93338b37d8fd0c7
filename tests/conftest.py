"""Fixtures for the top-level tests: a prepared environment and throw-away databases."""

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "setup"))

import crisk_lib as lib


@pytest.fixture(scope="session")
def crisk_env():
    """The environment prepared by setup/test (or prepared here when pytest runs alone)."""
    if os.environ.get("CRISK_ENV"):
        return lib.Env.from_json(os.environ["CRISK_ENV"])
    python = lib.VENV / "bin" / "python"
    return lib.Env(python, lib.find_odoo(), lib.ensure_postgres(python))


@pytest.fixture
def scratch_db(crisk_env):
    """Factory: clone a base template into a database dropped after the test."""
    created = []

    def make(demo):
        name = f"{lib.DB_PREFIX}_scratch_{uuid.uuid4().hex[:8]}"
        lib.clone_db(crisk_env.python, crisk_env.pg, crisk_env.base_template(demo=demo), name)
        created.append(name)
        return name

    yield make
    for name in created:
        lib.drop_db(crisk_env.python, crisk_env.pg, name)
