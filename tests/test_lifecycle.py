"""Each addon installs on a fresh database (with and without demo data), upgrades and
uninstalls cleanly, and Odoo logs no warning or error about it on the way."""

import json

import pytest
from conftest import lib

LEFTOVERS_SQL = """
SELECT 'xmlid ' || module || '.' || name FROM ir_model_data
 WHERE module IN ('customer_risk', 'customer_risk_collections', 'customer_risk_audit')
UNION ALL
SELECT 'model ' || model FROM ir_model WHERE model LIKE 'customer.risk%%'
UNION ALL
SELECT 'field ' || model || '.' || name FROM ir_model_fields
 WHERE name LIKE 'risk\\_%%' OR name LIKE 'followup\\_%%' OR model LIKE 'customer.risk%%'
UNION ALL
SELECT 'menu ' || (name->>'en_US') FROM ir_ui_menu
 WHERE name->>'en_US' IN ('Credit Control', 'Collections', 'Internal Control')
UNION ALL
SELECT 'view ' || name FROM ir_ui_view
 WHERE name LIKE '%%customer_risk%%' OR arch_fs LIKE 'customer_risk%%'
UNION ALL
SELECT 'group ' || (name->>'en_US') FROM res_groups
 WHERE name->>'en_US' IN ('User: read risk', 'Credit Officer', 'Credit Manager',
                          'Internal Auditor')
UNION ALL
SELECT 'table ' || table_name FROM information_schema.tables
 WHERE table_schema = 'public' AND table_name LIKE 'customer\\_risk%%'
UNION ALL
SELECT 'column ' || table_name || '.' || column_name FROM information_schema.columns
 WHERE table_schema = 'public'
   AND (column_name LIKE 'risk\\_%%' OR column_name LIKE 'followup\\_%%')
UNION ALL
SELECT 'user ' || login FROM res_users WHERE login LIKE 'risk\\_%%'
UNION ALL
SELECT 'index ' || indexname FROM pg_indexes
 WHERE schemaname = 'public' AND indexname LIKE '%%customer\\_risk%%'
UNION ALL
SELECT 'function ' || proname FROM pg_proc WHERE proname LIKE 'customer\\_risk%%'
"""

UNINSTALL = """
mod = env["ir.module.module"].search([("name", "=", %r)])
mod.button_immediate_uninstall()
env.cr.commit()
print("STATE", env["ir.module.module"].search([("name", "=", %r)]).state)
"""


def _states(env, db):
    rows = lib.psql(
        env.python,
        env.pg,
        "SELECT name, state FROM ir_module_module WHERE name LIKE 'customer\\_risk%'",
        dbname=db,
        fetch=True,
    )
    return dict(rows)


def _assert_clean_log(log):
    problems = lib.log_problems(log)
    assert not problems, f"Odoo logged warnings/errors (see {log}):\n" + "\n".join(problems[:10])


@pytest.mark.parametrize("demo", [False, True], ids=["without-demo", "with-demo"])
def test_install_upgrade_uninstall(crisk_env, scratch_db, demo):
    env = crisk_env
    db = scratch_db(demo)
    tag = f"lifecycle-{'demo' if demo else 'nodemo'}"

    # Install one addon at a time, in dependency order, like an administrator would.
    for addon in lib.ADDONS:
        rc, log = env.run_odoo(db, ["-i", addon], f"{tag}-install-{addon}")
        assert rc == 0, f"installing {addon} failed, see {log}"
        _assert_clean_log(log)
        assert _states(env, db)[addon] == "installed"
    if demo:
        logins = {
            r[0]
            for r in lib.psql(
                env.python, env.pg, "SELECT login FROM res_users", dbname=db, fetch=True
            )
        }
        missing = {
            "risk_sales",
            "risk_officer",
            "risk_manager",
            "risk_accountant",
            "risk_auditor",
        } - logins
        assert not missing, f"demo logins missing: {missing}"

    rc, log = env.run_odoo(db, ["-u", ",".join(lib.ADDONS)], f"{tag}-upgrade")
    assert rc == 0, f"upgrading failed, see {log}"
    _assert_clean_log(log)
    assert set(_states(env, db).values()) == {"installed"}

    # Uninstall in reverse order; nothing of ours may remain.
    for addon in reversed(lib.ADDONS):
        rc, log = env.odoo_shell(db, UNINSTALL % (addon, addon), f"{tag}-uninstall-{addon}")
        assert (
            rc == 0 and "STATE uninstalled" in log.read_text()
        ), f"uninstalling {addon} failed, see {log}"
        _assert_clean_log(log)
    leftovers = lib.psql(
        env.python, env.pg, LEFTOVERS_SQL.replace("%%", "%"), dbname=db, fetch=True
    )
    assert not leftovers, "left behind after uninstall: " + json.dumps([r[0] for r in leftovers])
