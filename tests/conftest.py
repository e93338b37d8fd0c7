"""Fixtures for the top-level tests: a prepared environment and throw-away databases."""

import os
import subprocess
import sys
import time
import urllib.request
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


@pytest.fixture(scope="session")
def addons_template(crisk_env):
    """Database with our three addons installed, no demo data (built by setup/test)."""
    name = os.environ.get("CRISK_TEST_TEMPLATE")
    if not name:
        import crisk

        name = crisk.test_template(crisk_env, crisk.Tally())
    assert name, "the addons did not install; see .state/logs/test-template.log"
    return name


@pytest.fixture(scope="module")
def odoo_server(crisk_env, addons_template):
    """A real Odoo server on 127.0.0.1 over a fresh copy of the addons' database.

    Threaded (no workers): each request runs in its own thread, cursor and transaction,
    and Odoo retries a request that hits a serialization failure, as in production.
    """
    db = f"{lib.DB_PREFIX}_srv_{uuid.uuid4().hex[:8]}"
    lib.clone_db(crisk_env.python, crisk_env.pg, addons_template, db)
    port = lib.free_port()
    log = lib.LOG_DIR / f"server-{db}.log"
    args = [*crisk_env.odoo_args(db, http_port=port), f"--logfile={log}", "--db_maxconn=32"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/web/login", timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"Odoo did not start; see {log}") from None
                time.sleep(1)
        yield {"url": url, "db": db, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        lib.drop_db(crisk_env.python, crisk_env.pg, db)


# ---------------------------------------------------------------- RESULT lines
# Each test prints `RESULT <name>: <figure>`; pytest captures output, so the lines are
# gathered from every report and shown together at the end of the run, pass or fail.
_RESULT_LINES = []


def pytest_runtest_logreport(report):
    for title, text in report.sections:
        # Each phase's report repeats the earlier phases' sections: take its own only.
        if title == f"Captured stdout {report.when}":
            _RESULT_LINES.extend(line for line in text.splitlines() if line.startswith("RESULT "))


def pytest_terminal_summary(terminalreporter):
    if _RESULT_LINES:
        terminalreporter.section("RESULT lines")
        for line in _RESULT_LINES:
            terminalreporter.write_line(line)
