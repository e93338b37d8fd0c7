"""Odoo processes a test can start, watch and kill: ``odoo-bin shell`` running a script
with its own registry and cursors, as the cron worker does."""

import os
import signal
import subprocess
import time

from conftest import lib

FULL = os.environ.get("CRISK_RELIABILITY_FULL") == "1"


def size(default, full):
    """A test's size: small by default, full with CRISK_RELIABILITY_FULL=1."""
    return full if FULL else default


class Shell:
    """``odoo-bin shell`` on ``db`` running ``code`` (``env`` is bound). Its output goes
    to ``.state/logs/<name>.log``; ``wait_for(marker)`` waits for a printed line."""

    def __init__(self, crisk_env, db, code, name):
        self.log = lib.LOG_DIR / f"{name}.log"
        self.out = lib.LOG_DIR / f"{name}.out"
        self.log.unlink(missing_ok=True)
        args = crisk_env.odoo_args(db)
        args = [args[0], args[1], "shell", *args[2:], f"--logfile={self.log}"]
        self._out = self.out.open("w")
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        self.proc.stdin.write(code)
        self.proc.stdin.close()

    def output(self):
        return self.out.read_text()

    def wait_for(self, marker, timeout=300):
        deadline = time.time() + timeout
        while marker not in self.output():
            if self.proc.poll() is not None:
                return marker in self.output()
            if time.time() > deadline:
                raise TimeoutError(f"{marker!r} not printed; see {self.out}")
            time.sleep(0.05)
        return True

    def kill(self):
        """SIGKILL: no cleanup, no rollback hook; PostgreSQL aborts the open transaction."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._out.close()

    def wait(self, timeout=1800):
        rc = self.proc.wait(timeout=timeout)
        self._out.close()
        return rc


def run(crisk_env, db, code, name, timeout=1800):
    """Run ``code`` to the end; fail with the output when it does not finish cleanly."""
    shell = Shell(crisk_env, db, code, name)
    rc = shell.wait(timeout)
    output = shell.output()
    assert rc == 0 and "SCRIPT-DONE" in output, f"{name} failed (rc={rc}):\n{output[-3000:]}"
    return output


def sql(crisk_env, db, query):
    return lib.psql(crisk_env.python, crisk_env.pg, query, dbname=db, fetch=True)
