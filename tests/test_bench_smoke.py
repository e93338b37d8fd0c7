"""The benchmark command at a tiny size: it builds its three databases (native Odoo, OCA's
account_financial_risk + sale_financial_risk, ours) from generated data and prints the
table with every scenario. No timing is asserted: only that the table is complete, that
the generated ledger keeps the accounting invariants (and that their check does catch a
broken ledger), and that our figures agree with native Odoo's."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import crisk_lib as lib  # noqa: E402
import harness  # noqa: E402

CUSTOMERS = 20


@pytest.fixture(scope="module")
def bench_run(crisk_env, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    name = f"{lib.DB_PREFIX}_benchsmoke_{uuid.uuid4().hex[:6]}"
    cmd = [
        str(crisk_env.python),
        str(ROOT / "tests" / "bench" / "harness.py"),
        "--env-json",
        crisk_env.to_json(),
        "--customers",
        str(CUSTOMERS),
        "--seeds",
        "3",
        "--invoices",
        "6",
        "--big",
        "30,120",
        "--repeat",
        "1",
        "--name",
        name,
        "--out",
        str(out),
        "--keep",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    try:
        yield res, out, name
    finally:
        for flavor in harness.FLAVORS:
            lib.drop_db(crisk_env.python, crisk_env.pg, f"{name}_{flavor}")


def test_table_has_every_scenario(bench_run):
    res, out, _name = bench_run
    assert res.returncode == 0, f"setup/bench failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    table = (out / "table.md").read_text()
    assert table in res.stdout
    for _key, label, _native, _oca in harness.ROWS:
        assert f"| {label} |" in table, f"missing row {label!r} in\n{table}"
    header = "| scenario | native ms | q | MiB | OCA ms | q | MiB | ours ms | q | MiB |"
    assert header in table


def test_data_and_results_agree(bench_run):
    res, out, _name = bench_run
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads((out / "results.json").read_text())
    gen = report["generation"]
    assert gen["invariants"] == "ok"
    assert gen["stats"]["customers"] == CUSTOMERS
    assert all(count >= 15 for count in gen["big_open_lines"]), gen["big_open_lines"]
    ours, native, oca = (report["measures"][f] for f in ("ours", "native", "oca"))
    # The check lets the passing order through and stops the blocked one, in OCA too.
    assert ours["a:big1:pass"]["result"] == "sale"
    assert ours["a:big2:block"]["result"] == "blocked"
    assert oca["a:big1:block"]["result"] == "blocked"
    assert native["a:big1:pass"]["result"] == "sale"
    # Every customer's risk figures, in each flavour.
    for flavor in (ours, native, oca):
        assert flavor["b:all"]["result"] == CUSTOMERS
    # Our aging as of today equals the native SQL pass over Odoo's own residuals.
    agree = ours["checks"]["aging_today_vs_native_sql"]
    assert agree["max_diff"] == 0.0, agree
    assert agree["total_ours"] == agree["total_native"] != 0.0, agree
    assert ours["d:xlsx"]["result"]["bytes"] > 0
    followup = ours["e:followup"]["result"]
    assert followup["executions"] > 0 and followup["emails_queued"] > 0, followup
    assert ours["f:assessment"]["result"]["assessments"] == CUSTOMERS
    # The second night reassesses everyone again, once each.
    assert sum(ours["f:second"]["result"].values()) == CUSTOMERS, ours["f:second"]


def test_invariant_check_catches_a_broken_ledger(bench_run, crisk_env, tmp_path):
    res, out, name = bench_run
    assert res.returncode == 0, res.stderr[-3000:]
    db = f"{name}_native"
    env = crisk_env
    assert harness.check_db(env, db, tmp_path)["invariants"] == "ok"
    lib.psql(
        env.python,
        env.pg,
        """UPDATE account_move_line SET amount_residual = amount_residual + 1
            WHERE id = (SELECT min(id) FROM account_move_line l
                         WHERE EXISTS (SELECT 1 FROM account_partial_reconcile pr
                                        WHERE pr.debit_move_id = l.id))""",
        dbname=db,
    )
    with pytest.raises(harness.BenchError, match="residual inconsistent with partial"):
        harness.check_db(env, db, tmp_path)
