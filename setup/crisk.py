"""The two commands of the README: ``setup/run`` and ``setup/test``.

Standard library only; it builds the virtualenvs it then uses.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crisk_lib as lib

DEMO_LOGINS = [
    # role, login, password
    ("Administrator", "admin", "admin"),
    ("Salesperson", "risk_sales", "risk_sales"),
    ("Credit officer", "risk_officer", "risk_officer"),
    ("Credit manager", "risk_manager", "risk_manager"),
    ("Accountant", "risk_accountant", "risk_accountant"),
    ("Internal auditor", "risk_auditor", "risk_auditor"),
]


def prepare():
    """Odoo source, virtualenv, PostgreSQL: shared by both commands."""
    odoo_root = lib.find_odoo()
    lib.say(f"Odoo 18 source: {odoo_root}")
    python = lib.VENV / "bin" / "python"
    requirements = lib.SETUP / "requirements-dev.txt"
    if not python.exists() or not (lib.VENV / ".crisk-stamp").exists():
        lib.apt_install(list(lib.SYSTEM_PACKAGES), "to build Odoo's Python dependencies")
    python = lib.ensure_venv(lib.VENV, requirements, odoo_root)
    lib.apt_install(list(lib.REPORT_PACKAGES), "to print PDF reports with Chinese text")
    pg = lib.ensure_postgres(python)
    chrome = lib.ensure_chromium()
    if chrome:
        lib.say(f"browser for the tours: {chrome}")
    lib.say(
        f"PostgreSQL: {pg.get('host') or 'local socket'}:{pg.get('port') or 5432} "
        f"as {pg.get('user') or 'the current user'}"
    )
    return lib.Env(python, odoo_root, pg)


# ---------------------------------------------------------------- run


def cmd_run(args):
    if not lib.port_free(lib.HTTP_HOST, lib.HTTP_PORT):
        raise lib.SetupError(
            f"Port {lib.HTTP_PORT} on {lib.HTTP_HOST} is already taken (another Odoo?). Stop "
            "that server, or choose another port with CRISK_HTTP_PORT=8070."
        )
    env = prepare()
    db = lib.DEMO_DB
    stamp = lib.DATA_DIR / f"{db}.addons-key"
    key = lib.addons_key()
    modules = ",".join(lib.ADDONS)
    if not lib.db_exists(env.python, env.pg, db):
        template = env.base_template(demo=True)
        lib.say(f"creating the demo database {db} with the three addons and their demo data")
        lib.clone_db(env.python, env.pg, template, db + "_building")
        rc, log = env.run_odoo(db + "_building", ["-i", modules], "demo-install")
        if rc != 0 or lib.log_problems(log):
            raise lib.SetupError(f"installing the addons into {db} failed; see {log}")
        lib.promote(env.python, env.pg, db + "_building", db)
        stamp.write_text(key)
    elif not stamp.exists() or stamp.read_text() != key:
        lib.say(f"updating the addons in {db} (their code changed); data is kept")
        rc, log = env.run_odoo(db, ["-u", modules], "demo-update")
        if rc != 0:
            raise lib.SetupError(f"updating the addons in {db} failed; see {log}")
        stamp.write_text(key)
    url = f"http://{lib.HTTP_HOST}:{lib.HTTP_PORT}"
    lib.say(f"Customer Risk demo database {db!r} is ready.")
    print(f"\n  Open {url}/web/login\n\n  Demo logins (login / password):")
    for role, login, password in DEMO_LOGINS:
        print(f"    {role:<18} {login} / {password}")
    print("\n  Stop the server with Ctrl+C.\n", flush=True)
    argv = env.odoo_args(db, http_port=lib.HTTP_PORT)
    argv = [a for a in argv if a != "--max-cron-threads=0"] + [f"--http-interface={lib.HTTP_HOST}"]
    os.execv(argv[0], argv)


# ---------------------------------------------------------------- test


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def add(self, passed, failed, label, detail=""):
        self.passed += passed
        self.failed += failed
        status = "ok" if not failed else "FAILED"
        lib.say(f"{label}: {passed} passed, {failed} failed [{status}]")
        if failed:
            self.failures.append(f"{label}: {detail}".strip())
            if detail:
                print(detail, flush=True)


def count_odoo_tests(addon):
    """Test methods our addon defines (what Odoo's runner must report as run)."""
    count = 0
    for path in sorted((lib.ROOT / addon / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                count += sum(
                    1
                    for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test_")
                )
    return count


def test_template(env, tally):
    """A no-demo database with our addons installed, rebuilt when their code changed."""
    name = f"{lib.DB_PREFIX}_test_{env.odoo_key}_{lib.addons_key()}"
    if lib.template_ready(env.python, env.pg, name):
        lib.say(f"reusing test template {name}")
        return name
    for old in lib.list_dbs(env.python, env.pg, f"{lib.DB_PREFIX}_test_%"):
        if old != name:
            lib.drop_db(env.python, env.pg, old)
    base = env.base_template(demo=False)
    building = name + "_building"
    lib.clone_db(env.python, env.pg, base, building)
    lib.say(f"building test template {name}")
    rc, log = env.run_odoo(building, ["-i", ",".join(lib.ADDONS)], "test-template")
    problems = lib.log_problems(log)
    ok = rc == 0 and lib._log_has(log, "Modules loaded.") and not problems
    tally.add(
        int(ok),
        int(not ok),
        "install into the test template",
        "" if ok else f"rc={rc}; see {log}\n" + "\n".join(problems[:20]),
    )
    if not ok:
        lib.drop_db(env.python, env.pg, building)
        return None
    lib.promote(env.python, env.pg, building, name)
    return name


def run_odoo_tests(env, tally, template, only=None):
    db = f"{lib.DB_PREFIX}_test_run"
    lib.clone_db(env.python, env.pg, template, db)
    tested = only or lib.ADDONS
    expected = sum(count_odoo_tests(a) for a in tested)
    tags = ",".join(f"/{a}" for a in tested)
    lib.say(f"running the addons' Odoo tests ({expected} test methods) in {db}")
    rc, log = env.run_odoo(db, ["-u", ",".join(lib.ADDONS), "--test-tags", tags], "odoo-tests")
    summary = lib.test_summary(log)
    problems = [p for p in lib.log_problems(log) if not _is_test_report_line(p)]
    if summary is None:
        tally.add(0, max(expected, 1), "Odoo tests", f"no test report in {log} (rc={rc})")
        return
    failed, errors, ran = summary
    # A skipped test proved nothing (e.g. a browser test without Chromium): it fails the run.
    skipped = lib.skipped_tests(log)
    bad = failed + errors + len(skipped)
    if ran < expected:
        bad += expected - ran
    detail = (
        f"{failed} failed, {errors} errors, {len(skipped)} skipped, {ran} ran of {expected} "
        f"collected; see {log}" + "".join(f"\n  skipped: {s}" for s in skipped)
    )
    tally.add(
        max(ran - failed - errors - len(skipped), 0), bad, "Odoo tests", detail if bad else ""
    )
    if problems:
        tally.add(
            0,
            1,
            "Odoo log during tests",
            f"{len(problems)} warning/error records (see {log}):\n" + "\n".join(problems[:15]),
        )
    else:
        tally.add(1, 0, "Odoo log during tests has no warning or error")
    check_translations(env, tally, db)
    lib.drop_db(env.python, env.pg, db)


CHECK_PO = """
import io, json, pathlib, re, sys, polib
from babel.messages.extract import extract_python
exported, paths = sys.argv[1], json.loads(sys.argv[2])
report = {}
# Odoo's exporter silently skips a Python file babel cannot read (an f-string inside _()).
for addon, path in paths.items():
    for source in sorted(pathlib.Path(path).parent.parent.rglob("*.py")):
        try:
            list(extract_python(io.BytesIO(source.read_bytes()), {"_": None, "_lt": None}, [], {}))
        except Exception as exc:
            report.setdefault(addon, []).append(f"(not extractable) {source.name}: {exc}")
wanted = {}
for entry in polib.pofile(exported):
    for line in entry.comment.splitlines():
        if line.startswith("module: "):
            wanted.setdefault(line[8:].strip(), set()).add(entry.msgid)
for addon, path in paths.items():
    try:
        po = polib.pofile(path)
    except OSError:
        po = []
    done = {e.msgid for e in po if e.msgstr and "fuzzy" not in e.flags and not e.obsolete}
    # Written the same in Chinese; oca-checks-po empties a msgstr equal to its msgid.
    done |= {"ID", "SMS", "XLSX", "PDF", "DSO", "CEI", "KPI", "VAT"}
    done |= {e.msgid for e in po if not re.sub(r"%\\(\\w+\\)[sd]|%[sd]", "", e.msgid).strip(
        " -.,:%0123456789()/")}
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    report.setdefault(addon, []).extend(
        sorted(wanted.get(addon, set()) - done) + [f"(fuzzy) {m}" for m in fuzzy]
    )
print(json.dumps(report))
"""


def check_translations(env, tally, db):
    """Every string of our addons has a zh_CN translation (none missing, none fuzzy)."""
    exported = lib.LOG_DIR / "i18n-check.pot"
    exported.unlink(missing_ok=True)
    rc, log = env.run_odoo(
        db, [f"--i18n-export={exported}", f"--modules={','.join(lib.ADDONS)}"], "i18n-check"
    )
    if rc != 0 or not exported.exists():
        tally.add(0, 1, "zh_CN translations", f"export failed (rc={rc}); see {log}")
        return
    paths = {a: str(lib.ROOT / a / "i18n" / "zh_CN.po") for a in lib.ADDONS}
    res = subprocess.run(
        [str(env.python), "-c", CHECK_PO, str(exported), json.dumps(paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    missing = {a: m for a, m in json.loads(res.stdout).items() if m}
    detail = "; ".join(f"{a}: {len(m)} untranslated, e.g. {m[0]!r}" for a, m in missing.items())
    tally.add(
        int(not missing),
        int(bool(missing)),
        "zh_CN translations complete",
        detail + " (run setup/crisk.py i18n, then translate)" if missing else "",
    )


def _is_test_report_line(problem):
    """Failures are already counted from the test report; don't count them twice."""
    return (
        problem.startswith(
            (
                "ERROR odoo.tests",
                "ERROR odoo.modules.loading: At least one",
                "ERROR odoo.tests.result",
            )
        )
        or " FAIL: " in problem
        or " ERROR: " in problem.split("\n")[0]
    )


def run_pytest(env, tally, template, select=None):
    junit = lib.LOG_DIR / "pytest.xml"
    junit.unlink(missing_ok=True)
    lib.say("running the top-level tests (tests/)")
    proc_env = dict(
        os.environ,
        CRISK_ENV=env.to_json(),
        CRISK_TEST_TEMPLATE=template or "",
        PYTHONDONTWRITEBYTECODE="1",
    )
    res = subprocess.run(
        [
            str(env.python),
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:odoo",
            str(lib.ROOT / "tests"),
            f"--junitxml={junit}",
            "-q",
            "-rfE",
            *(["-k", select] if select else []),
        ],
        cwd=lib.ROOT,
        env=proc_env,
        check=False,
    )
    if not junit.exists():
        tally.add(0, 1, "top-level tests", f"pytest exited {res.returncode} without a report")
        return
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    total = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    # A skipped test did not prove anything: count it as failed.
    tally.add(
        total - bad - skipped,
        bad + skipped,
        "top-level tests",
        f"{bad} failed/errored, {skipped} skipped (pytest rc={res.returncode})"
        if bad + skipped or res.returncode
        else "",
    )
    if total == 0 or (res.returncode != 0 and not bad):
        tally.add(0, 1, "top-level tests ran", f"pytest rc={res.returncode}, {total} tests")


def run_linters(tally):
    python = lib.ensure_venv(lib.LINT_VENV, lib.SETUP / "requirements-lint.txt")
    bindir = python.parent
    addons = [str(lib.ROOT / a) for a in lib.ADDONS]
    po_files = sorted(str(p) for a in lib.ADDONS for p in (lib.ROOT / a / "i18n").glob("*.po*"))
    checks = [
        ("ruff", [str(bindir / "ruff"), "check", *addons, str(lib.ROOT / "tests"), str(lib.SETUP)]),
        (
            "ruff format",
            [
                str(bindir / "ruff"),
                "format",
                "--check",
                *addons,
                str(lib.ROOT / "tests"),
                str(lib.SETUP),
            ],
        ),
        ("pylint-odoo", [str(bindir / "pylint"), f"--rcfile={lib.ROOT / '.pylintrc'}", *addons]),
        ("oca-checks-odoo-module", [str(bindir / "oca-checks-odoo-module"), *addons]),
        ("oca-checks-po", [str(bindir / "oca-checks-po"), *po_files]),
    ]
    for label, cmd in checks:
        res = subprocess.run(cmd, cwd=lib.ROOT, capture_output=True, text=True, check=False)
        out = (res.stdout + res.stderr).strip()
        tally.add(
            int(res.returncode == 0),
            int(res.returncode != 0),
            f"lint {label}",
            out[-4000:] if res.returncode else "",
        )


def cmd_test(args):
    tally = Tally()
    env = prepare()
    if not args.skip_odoo and not lib.find_chrome():
        # Odoo would skip the browser tours (and the run would fail on the skips): say why.
        tally.add(
            0,
            1,
            "browser for the tours",
            "no Chrome or Chromium on PATH: sudo apt-get install -y chromium",
        )
    if not args.skip_lint:
        run_linters(tally)
    template = test_template(env, tally)
    only = [a for a in (args.addons or "").split(",") if a]
    unknown = set(only) - set(lib.ADDONS)
    if unknown:
        raise lib.SetupError(f"--addons: unknown addon(s) {', '.join(sorted(unknown))}")
    if args.skip_odoo:
        pass
    elif template:
        run_odoo_tests(env, tally, template, only)
    else:
        tally.add(0, 1, "Odoo tests", "not run: the addons did not install")
    if not args.skip_pytest:
        run_pytest(env, tally, template, args.select)
    if tally.failures:
        print("\nFailures:")
        for failure in tally.failures:
            print("  - " + failure.splitlines()[0])
    print(f"{tally.passed} passed, {tally.failed} failed", flush=True)
    return 1 if tally.failed or not tally.passed else 0


MERGE_PO = """
import sys, polib
pot = polib.pofile(sys.argv[1])
po_path = sys.argv[2]
# Odoo core's own zh_CN wins for the strings it already translates.
core = {}
for path in sys.argv[3:]:
    for e in polib.pofile(path):
        if e.msgstr and "fuzzy" not in e.flags:
            core.setdefault(e.msgid, e.msgstr)
try:
    old = polib.pofile(po_path)
except OSError:
    old = polib.POFile()
known = {(e.msgctxt, e.msgid): e for e in old if not e.obsolete}
by_id = {e.msgid: e for e in old if not e.obsolete and e.msgstr}
po = polib.POFile(wrapwidth=78)
po.metadata = dict(pot.metadata, Language="zh_CN")
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
missing = 0
for entry in pot:
    prev = known.get((entry.msgctxt, entry.msgid)) or by_id.get(entry.msgid)
    entry.msgstr = (prev.msgstr if prev else "") or core.get(entry.msgid, "")
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    missing += not entry.msgstr
    po.append(entry)
po.save(po_path)
print(missing)
"""


CORE_I18N = [
    "odoo/addons/base",
    "addons/mail",
    "addons/account",
    "addons/sale",
    "addons/sales_team",
    "addons/product",
    "addons/web",
    "addons/sms",
    "addons/portal",
]


def cmd_i18n(args):
    """Export each addon's .pot from a database with the addons and merge zh_CN.po."""
    env = prepare()
    db = f"{lib.DB_PREFIX}_i18n"
    lib.clone_db(env.python, env.pg, env.base_template(demo=False), db)
    rc, log = env.run_odoo(db, ["-i", ",".join(lib.ADDONS)], "i18n-install")
    if rc != 0:
        raise lib.SetupError(f"installing the addons failed; see {log}")
    untranslated = 0
    for addon in lib.ADDONS:
        i18n = lib.ROOT / addon / "i18n"
        i18n.mkdir(exist_ok=True)
        pot = i18n / f"{addon}.pot"
        rc, log = env.run_odoo(
            db, [f"--i18n-export={pot}", f"--modules={addon}"], f"i18n-export-{addon}"
        )
        if rc != 0 or not pot.exists():
            raise lib.SetupError(f"exporting {pot} failed; see {log}")
        core_po = [
            str(env.odoo_root / path / "i18n" / "zh_CN.po")
            for path in CORE_I18N
            if (env.odoo_root / path / "i18n" / "zh_CN.po").exists()
        ]
        res = subprocess.run(
            [str(env.python), "-c", MERGE_PO, str(pot), str(i18n / "zh_CN.po"), *core_po],
            capture_output=True,
            text=True,
            check=True,
        )
        missing = int(res.stdout.strip())
        untranslated += missing
        lib.say(f"{addon}: {pot.name} exported, zh_CN.po has {missing} untranslated entries")
    lib.drop_db(env.python, env.pg, db)
    # The layout oca-checks-po expects (sorted entries, Odoo's wrapping).
    lint = lib.ensure_venv(lib.LINT_VENV, lib.SETUP / "requirements-lint.txt")
    subprocess.run(
        [
            str(lint.parent / "oca-checks-po"),
            "--fix",
            "--no-exit",
            "--no-verbose",
            *(str(p) for a in lib.ADDONS for p in sorted((lib.ROOT / a / "i18n").glob("*.po*"))),
        ],
        check=False,
        capture_output=True,
    )
    return 1 if untranslated else 0


def main():
    parser = argparse.ArgumentParser(prog="customer-risk")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="prepare everything and start Odoo with the demo database")
    test = sub.add_parser("test", help="prepare everything and run every test and linter")
    test.add_argument("--skip-lint", action="store_true", help="developer shortcut")
    test.add_argument("--skip-pytest", action="store_true", help="developer shortcut")
    test.add_argument("--skip-odoo", action="store_true", help="developer shortcut")
    test.add_argument("--addons", help="developer shortcut: only these addons' Odoo tests")
    test.add_argument("-k", dest="select", help="developer shortcut: pytest -k expression")
    sub.add_parser("prepare", help="only build the virtualenv and check PostgreSQL")
    sub.add_parser("i18n", help="export the .pot files and merge them into zh_CN.po")
    args = parser.parse_args()
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "test":
            return cmd_test(args)
        if args.command == "i18n":
            return cmd_i18n(args)
        env = prepare()
        print(env.to_json())
        return 0
    except lib.SetupError as exc:
        print(f"\n[customer-risk] ERROR: {exc}\n", file=sys.stderr, flush=True)
        if args.command == "test":
            print("0 passed, 1 failed", flush=True)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
