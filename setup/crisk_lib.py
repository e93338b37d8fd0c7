"""Environment preparation shared by setup/run, setup/test and the top-level tests.

Standard library only: this runs with the system Python before the virtualenv exists.
"""

import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "setup"
STATE = Path(os.environ.get("CRISK_STATE_DIR", ROOT / ".state"))
VENV = Path(os.environ.get("CRISK_VENV", ROOT / ".venv"))
LINT_VENV = Path(os.environ.get("CRISK_LINT_VENV", ROOT / ".venv-lint"))
# Odoo's data dir (filestores) lives outside the checkout, like Odoo's own default, so the
# cached template databases in PostgreSQL and their filestores stay together for every clone.
DATA_DIR = Path(
    os.environ.get("CRISK_DATA_DIR", Path.home() / ".local" / "share" / "customer-risk")
)
LOG_DIR = STATE / "logs"

ADDONS = ["customer_risk", "customer_risk_collections", "customer_risk_audit"]
# Odoo modules our addons stand on; the base templates have them installed.
BASE_MODULES = ["sale_management", "account", "mail"]
DB_PREFIX = os.environ.get("CRISK_DB_PREFIX", "crisk")
# Templates of Odoo's own modules only: several checkouts of the project may share them.
BASE_PREFIX = os.environ.get("CRISK_BASE_PREFIX", DB_PREFIX)
DEMO_DB = os.environ.get("CRISK_DEMO_DB", "customer_risk_demo")
HTTP_HOST = os.environ.get("CRISK_HTTP_HOST", "127.0.0.1")
HTTP_PORT = int(os.environ.get("CRISK_HTTP_PORT", "8069"))

SYSTEM_PACKAGES = {
    # Debian package: why
    "libpq-dev": "psycopg2 builds against libpq",
    "libldap2-dev": "python-ldap builds from source on Python 3.11",
    "libsasl2-dev": "python-ldap builds from source on Python 3.11",
    "build-essential": "C extensions of Odoo's pinned packages",
}
# What Odoo prints PDF reports with, and the fonts that draw their Chinese text.
REPORT_PACKAGES = ("wkhtmltopdf", "fonts-noto-cjk")


class SetupError(Exception):
    """A problem the user can fix; printed without a traceback."""


def say(msg):
    print(f"[customer-risk] {msg}", flush=True)


def sha(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
    return h.hexdigest()[:12]


def tree_hash(paths, suffixes=None):
    """Hash of file names and contents under ``paths`` (caches, bytecode ignored)."""
    h = hashlib.sha256()
    for base in paths:
        for path in sorted(Path(base).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            if suffixes and path.suffix not in suffixes:
                continue
            h.update(str(path.relative_to(base)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------- Odoo source


def find_odoo():
    """Return the Odoo 18 source root (the folder holding ``odoo/`` and ``addons/``)."""
    candidates = []
    if os.environ.get("ODOO_PATH"):
        candidates.append(Path(os.environ["ODOO_PATH"]))
    else:
        candidates.append(Path("/opt/odoo"))
        try:
            out = subprocess.run(
                [sys.executable, "-c", "import odoo, os; print(os.path.dirname(odoo.__path__[0]))"],
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    for root in candidates:
        release = root / "odoo" / "release.py"
        if release.is_file():
            match = re.search(r"version_info\s*=\s*\((\d+),", release.read_text())
            if not match or match.group(1) != "18":
                raise SetupError(
                    f"The Odoo source at {root} is not Odoo 18 (version_info starts with "
                    f"{match.group(1) if match else '?'}). Point ODOO_PATH at an Odoo 18.0 "
                    "community checkout."
                )
            if not (root / "addons" / "sale_management").is_dir():
                raise SetupError(
                    f"The Odoo source at {root} has no addons/sale_management: a full Odoo 18.0 "
                    "community tree (with its addons folder) is needed."
                )
            return root
    where = os.environ.get("ODOO_PATH") or "/opt/odoo"
    raise SetupError(
        f"Odoo 18 source not found at {where}.\n"
        "  The suite runs on Odoo 18.0 community, which is not on PyPI. Check out the Odoo "
        "18.0 source tree\n"
        "  (the folder with odoo-bin, odoo/ and addons/) at /opt/odoo, or set ODOO_PATH to "
        "its folder, e.g.\n"
        "    git clone --depth 1 -b 18.0 https://github.com/odoo/odoo /opt/odoo\n"
        "  then run this command again."
    )


def odoo_key(odoo_root):
    """Identity of the Odoo tree: its release and every manifest (cheap to compute)."""
    h = hashlib.sha256((odoo_root / "odoo" / "release.py").read_bytes())
    for manifest in sorted(glob.glob(str(odoo_root / "addons" / "*" / "__manifest__.py"))):
        h.update(manifest.encode())
        h.update(Path(manifest).read_bytes())
    return h.hexdigest()[:10]


# ---------------------------------------------------------------- system packages


def _dpkg_installed(pkg):
    res = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True, check=False
    )
    return res.returncode == 0 and "install ok installed" in res.stdout


def apt_install(packages, reason):
    """Install Debian packages that are missing; explain what to do when we cannot."""
    if not shutil.which("dpkg-query"):
        return
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SetupError(
            f"Missing system packages {' '.join(missing)} ({reason}). Install them with:\n"
            f"    sudo apt-get install -y {' '.join(missing)}"
        )
    say(f"installing Debian packages {' '.join(missing)} ({reason})")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Wait for another apt/dpkg run (e.g. a second checkout preparing) instead of failing.
    lock = ["-o", "DPkg::Lock::Timeout=600"]
    cmd = ["apt-get", *lock, "install", "-y", "--no-install-recommends", *missing]
    if subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        update = ["apt-get", *lock, "update"]
        subprocess.run(update, env=env, check=False, stdout=subprocess.DEVNULL)
        if subprocess.run(cmd, env=env, check=False).returncode != 0:
            raise SetupError(f"apt-get could not install {' '.join(missing)}.")


# Names Odoo 18 looks up on PATH for its browser tests (odoo/tests/common.py,
# _find_executable); Debian's chromium package installs /usr/bin/chromium.
CHROME_NAMES = ["google-chrome", "chromium", "chromium-browser", "google-chrome-stable"]


def find_chrome():
    """The Chrome or Chromium Odoo's browser tests will start, or None."""
    for name in CHROME_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium():
    """The browser tours need Chrome or Chromium: Odoo skips them without one, and
    setup/test fails on a skipped test. Install Debian's chromium when we run as root."""
    path = find_chrome()
    if path:
        return path
    if shutil.which("dpkg-query") and shutil.which("apt-get") and os.geteuid() == 0:
        try:
            apt_install(["chromium"], "the headless browser of the tours in setup/test")
        except SetupError as exc:
            # setup/run serves Odoo without a browser; setup/test reports the tours failed.
            say(f"WARNING: {exc}")
        path = find_chrome()
        if path:
            return path
    say(
        "no Chrome or Chromium found (the browser tours of setup/test need one); install it "
        "with: sudo apt-get install -y chromium"
    )
    return None


# ---------------------------------------------------------------- virtualenvs


def _python_for_venv():
    version = sys.version_info[:2]
    if not (3, 10) <= version <= (3, 12):
        raise SetupError(
            f"Python {version[0]}.{version[1]} runs this script; Odoo 18 needs Python 3.10 to 3.12."
        )
    return sys.executable


def ensure_venv(venv, requirements, odoo_root=None):
    """Create/refresh a virtualenv when its requirements changed; return its python."""
    python = venv / "bin" / "python"
    stamp = venv / ".crisk-stamp"
    key = sha(sys.version, requirements.read_bytes(), (SETUP / "requirements.txt").read_bytes())
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        _write_odoo_pth(python, odoo_root)
        return python
    say(f"preparing virtualenv {venv} from {requirements.name} (first run takes a few minutes)")
    if not python.exists():
        make = [_python_for_venv(), "-m", "venv", str(venv)]
        if subprocess.run(make, check=False, capture_output=True).returncode != 0:
            # Debian splits venv/ensurepip out of its python3 package.
            shutil.rmtree(venv, ignore_errors=True)
            apt_install(
                [f"python{sys.version_info[0]}.{sys.version_info[1]}-venv"], "Python's venv module"
            )
            subprocess.run(make, check=True)
    env = dict(
        os.environ,
        PIP_CONSTRAINT=str(SETUP / "constraints-build.txt"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    res = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
        env=env,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if res.returncode != 0:
        tail = "\n".join(line for line in res.stdout.splitlines() if "is ignored" not in line)[
            -3000:
        ]
        raise SetupError(f"pip could not install {requirements}:\n{tail}")
    _write_odoo_pth(python, odoo_root)
    stamp.write_text(key)
    return python


def _write_odoo_pth(python, odoo_root):
    """Make ``import odoo`` work in the venv (pytest-odoo and tests need it)."""
    if odoo_root is None:
        return
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    pth = Path(site) / "crisk_odoo.pth"
    if not pth.exists() or pth.read_text().strip() != str(odoo_root):
        pth.write_text(f"{odoo_root}\n")


# ---------------------------------------------------------------- PostgreSQL


def pg_params():
    """Connection parameters from PG* variables; host None means libpq's default socket."""
    return {
        "host": os.environ.get("PGHOST"),
        "port": os.environ.get("PGPORT"),
        "user": os.environ.get("PGUSER"),
        "password": os.environ.get("PGPASSWORD"),
    }


_PROBE = """
import json, sys, psycopg2
kw = {k: v for k, v in json.loads(sys.argv[1]).items() if v}
try:
    psycopg2.connect(dbname="postgres", connect_timeout=5, **kw).close()
    print("ok")
except psycopg2.OperationalError as e:
    print(str(e).strip().replace(chr(10), " "))
"""


def _probe(python, params):
    res = subprocess.run(
        [str(python), "-c", _PROBE, json.dumps(params)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return (res.stdout or res.stderr).strip()


def _start_local_cluster():
    if not shutil.which("pg_lsclusters"):
        return False
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    started = False
    for line in clusters.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[3] != "online":
            say(f"starting the local PostgreSQL cluster {fields[0]}/{fields[1]}")
            res = subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", fields[0], fields[1], "start"],
                check=False,
                capture_output=True,
                text=True,
            )
            started = started or res.returncode == 0
        elif len(fields) >= 4:
            started = True
    return started


def _create_role(user):
    if os.geteuid() != 0 or not shutil.which("runuser"):
        raise SetupError(
            f"PostgreSQL role {user!r} does not exist. Create it with:\n"
            f"    sudo -u postgres createuser --superuser {user}"
        )
    say(f"creating the PostgreSQL role {user!r}")
    res = subprocess.run(
        ["runuser", "-u", "postgres", "--", "createuser", "--superuser", user],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in ("PGUSER", "PGPASSWORD")},
    )
    if res.returncode != 0 and "already exists" not in res.stderr:
        raise SetupError(f"could not create the PostgreSQL role {user!r}: {res.stderr.strip()}")


def ensure_postgres(python):
    """Find a reachable PostgreSQL (PG* vars, local socket, 127.0.0.1:5432), start or
    install one if needed, create our role; return the connection parameters."""
    base = pg_params()
    attempts = (
        [base]
        if base["host"]
        else [base, dict(base, host="127.0.0.1", port=base["port"] or "5432")]
    )
    errors = []
    for round_ in ("probe", "start", "install"):
        if round_ == "start" and not _start_local_cluster():
            continue
        if round_ == "install":
            if base["host"] not in (None, "localhost", "127.0.0.1"):
                break
            if not (os.geteuid() == 0 and shutil.which("apt-get")):
                break
            say("no PostgreSQL server answered: making sure Debian's postgresql is installed")
            apt_install(["postgresql"], "the database server")
            if not _start_local_cluster():
                break
        for params in attempts:
            for _ in range(10 if round_ != "probe" else 2):
                result = _probe(python, params)
                if result == "ok":
                    return params
                if "does not exist" in result and "role" in result:
                    _create_role(params["user"] or os.environ.get("USER") or _whoami())
                    continue
                if round_ == "probe":
                    break
                time.sleep(1)
            error = f"{params.get('host') or 'local socket'}: {result}"
            if error not in errors:
                errors.append(error)
    where = (
        f"{base['host']}:{base['port'] or 5432}"
        if base["host"]
        else ("the local socket or 127.0.0.1:5432")
    )
    raise SetupError(
        f"PostgreSQL cannot be reached at {where} and could not be started.\n"
        f"  Last errors: {'; '.join(errors[-2:]) or 'none'}\n"
        "  Start it (Debian: pg_ctlcluster <version> main start), or set PGHOST/PGPORT/PGUSER/"
        "PGPASSWORD to a reachable PostgreSQL 13 or newer."
    )


def _whoami():
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def psql(python, params, sql, dbname="postgres", fetch=False):
    """Run one SQL statement through psycopg2 in the venv (autocommit)."""
    code = """
import json, sys, psycopg2
kw = {k: v for k, v in json.loads(sys.argv[1]).items() if v}
conn = psycopg2.connect(dbname=sys.argv[2], **kw)
conn.autocommit = True
cur = conn.cursor()
cur.execute(sys.argv[3])
print(json.dumps(cur.fetchall() if cur.description else []))
"""
    res = subprocess.run(
        [str(python), "-c", code, json.dumps(params), dbname, sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0:
        raise SetupError(f"SQL failed on {dbname}: {sql}\n{res.stderr.strip()[-2000:]}")
    return json.loads(res.stdout) if fetch else None


def db_exists(python, params, name):
    rows = psql(python, params, f"SELECT 1 FROM pg_database WHERE datname = '{name}'", fetch=True)
    return bool(rows)


def template_ready(python, params, name):
    """A cached template counts only with its filestore (made by us, in our data dir)."""
    return (DATA_DIR / "filestore" / name).is_dir() and db_exists(python, params, name)


def promote(python, params, building, name):
    """Rename a freshly built database and its filestore to their final name."""
    psql(python, params, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    target = DATA_DIR / "filestore" / name
    shutil.rmtree(target, ignore_errors=True)
    src = DATA_DIR / "filestore" / building
    if src.is_dir():
        src.rename(target)
    else:
        target.mkdir(parents=True)


def list_dbs(python, params, like):
    rows = psql(
        python, params, f"SELECT datname FROM pg_database WHERE datname LIKE '{like}'", fetch=True
    )
    return [r[0] for r in rows]


def drop_db(python, params, name):
    psql(python, params, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(DATA_DIR / "filestore" / name, ignore_errors=True)


def clone_db(python, params, template, name):
    """Copy a database and its filestore (createdb -T takes under a second)."""
    drop_db(python, params, name)
    psql(python, params, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    src = DATA_DIR / "filestore" / template
    if src.is_dir():
        shutil.copytree(src, DATA_DIR / "filestore" / name)


# ---------------------------------------------------------------- Odoo commands


def port_free(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Env:
    """Everything a command needs to drive Odoo: python, source, database, paths."""

    def __init__(self, python, odoo_root, pg):
        self.python = Path(python)
        self.odoo_root = Path(odoo_root)
        self.pg = pg
        self.odoo_key = odoo_key(self.odoo_root)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        LOG_DIR.mkdir(parents=True, exist_ok=True)

    def to_json(self):
        return json.dumps(
            {"python": str(self.python), "odoo_root": str(self.odoo_root), "pg": self.pg}
        )

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        return cls(data["python"], data["odoo_root"], data["pg"])

    @property
    def addons_path(self):
        return ",".join(
            [str(self.odoo_root / "addons"), str(self.odoo_root / "odoo" / "addons"), str(ROOT)]
        )

    def odoo_args(self, db, http_port=None):
        args = [
            str(self.python),
            str(self.odoo_root / "odoo-bin"),
            "--no-database-list",
            f"--addons-path={self.addons_path}",
            f"--data-dir={DATA_DIR}",
            "-d",
            db,
            f"--db-filter=^{re.escape(db)}$",
            "--http-interface=127.0.0.1",
            f"--http-port={http_port or free_port()}",
            "--max-cron-threads=0",
        ]
        for key, flag in (
            ("host", "--db_host"),
            ("port", "--db_port"),
            ("user", "--db_user"),
            ("password", "--db_password"),
        ):
            if self.pg.get(key):
                args.append(f"{flag}={self.pg[key]}")
        return args

    def run_odoo(self, db, extra, log_name, timeout=3600):
        """Run odoo-bin to completion with ``--stop-after-init``; return (rc, log path)."""
        log = LOG_DIR / f"{log_name}.log"
        args = [*self.odoo_args(db), "--stop-after-init", f"--logfile={log}", *extra]
        log.unlink(missing_ok=True)
        res = subprocess.run(
            args,
            check=False,
            timeout=timeout,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if res.stdout.strip():
            with log.open("a") as fh:
                fh.write(res.stdout)
        return res.returncode, log

    def odoo_shell(self, db, code, log_name, timeout=1800):
        """Run Python ``code`` in ``odoo-bin shell`` (``env`` is bound); return (rc, log)."""
        log = LOG_DIR / f"{log_name}.log"
        log.unlink(missing_ok=True)
        args = self.odoo_args(db)
        args = [args[0], args[1], "shell", *args[2:], f"--logfile={log}"]
        res = subprocess.run(
            args,
            input=code,
            check=False,
            timeout=timeout,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        with log.open("a") as fh:
            fh.write(res.stdout)
        return res.returncode, log

    # -------------------------------------------------------- templates

    def base_template(self, demo):
        """A database with Odoo's modules we depend on, built once per Odoo tree. Several
        checkouts sharing the template (``CRISK_BASE_PREFIX``) wait for one another."""
        name = f"{BASE_PREFIX}_base_{'demo' if demo else 'nodemo'}_{self.odoo_key}"
        if template_ready(self.python, self.pg, name):
            return name
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        with open(DATA_DIR / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if template_ready(self.python, self.pg, name):
                return name
            return self._build_base_template(name, demo)

    def _build_base_template(self, name, demo):
        for old in list_dbs(
            self.python, self.pg, f"{BASE_PREFIX}_base_{'demo' if demo else 'nodemo'}_%"
        ):
            drop_db(self.python, self.pg, old)
        building = name + "_building"
        drop_db(self.python, self.pg, building)
        say(
            f"building template database {name} (Odoo {'with' if demo else 'without'} demo "
            "data; about 2 minutes, once)"
        )
        extra = ["-i", ",".join(BASE_MODULES), "--load-language=en_US"]
        if not demo:
            extra.append("--without-demo=all")
        rc, log = self.run_odoo(building, extra, f"template-{name}")
        if rc != 0 or not _log_has(log, "Modules loaded."):
            raise SetupError(f"building {name} failed; see {log}")
        promote(self.python, self.pg, building, name)
        return name


def addons_key():
    return tree_hash([ROOT / a for a in ADDONS])


def _log_has(log, text):
    return log.exists() and text in log.read_text(errors="replace")


# ---------------------------------------------------------------- log checks

# Lines Odoo itself prints on every run here, whatever our addons do.
LOG_ALLOW = [
    # (regex, reason) -- none needed so far: Odoo 18 logs no warning here on its own while
    # installing, upgrading, uninstalling or testing our addons.
]
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$"
)


def log_problems(log_path, allow=()):
    """WARNING/ERROR/CRITICAL records of an Odoo log, minus the allow-list."""
    problems = []
    patterns = [re.compile(p) for p, _ in (*LOG_ALLOW, *allow)]
    record = None
    for line in Path(log_path).read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if match:
            if record:
                problems.append(record)
            record = None
            if match.group("level") in ("WARNING", "ERROR", "CRITICAL"):
                text = f"{match.group('level')} {match.group('logger')}: {match.group('msg')}"
                if not any(p.search(line) for p in patterns):
                    record = text
        elif record and len(record) < 4000:
            record += "\n" + line
    if record:
        problems.append(record)
    return problems


def test_summary(log_path):
    """(failed, errors, run) from Odoo's final test report, or None when absent."""
    found = None
    for line in Path(log_path).read_text(errors="replace").splitlines():
        match = re.search(
            r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database", line
        )
        if match:
            found = tuple(int(g) for g in match.groups())
    return found


def skipped_tests(log_path):
    """Tests Odoo's runner reported as skipped."""
    return re.findall(
        r"^\S+ \S+ \d+ INFO \S+ \S+: skipped (.*)$",
        Path(log_path).read_text(errors="replace"),
        flags=re.MULTILINE,
    )
