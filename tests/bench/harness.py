"""The benchmark: generate the data once, build three databases from it, measure, print.

    python tests/bench/harness.py --env-json '<crisk_lib.Env JSON>' [--customers 2000] ...

(``setup/bench`` prepares the environment and runs this.) The orchestrator runs Odoo in
worker subprocesses of this same file (``worker <task>``), one per database, so each
flavour has its own registry and memory.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "setup"))
sys.path.insert(0, str(HERE))

import crisk_lib as lib  # noqa: E402

OCA_ADDONS = ["account_financial_risk", "sale_financial_risk"]
OCA_CACHE = Path(
    os.environ.get("CRISK_BENCH_CACHE", Path.home() / ".cache" / "customer-risk" / "bench")
)
FLAVORS = ("native", "oca", "ours")


class BenchError(Exception):
    pass


def say(msg):
    print(f"[bench] {time.strftime('%H:%M:%S')} {msg}", flush=True)


# ---------------------------------------------------------------- OCA addons


def oca_addons_path(python):
    """Download the OCA 18.0 wheels (no dependencies) once and extract their addons into a
    folder of their own; return that folder."""
    target = OCA_CACHE / "oca-addons-18.0"
    if all((target / name / "__manifest__.py").exists() for name in OCA_ADDONS):
        return target
    wheels = OCA_CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    specs = [f"odoo-addon-{name}==18.0.*" for name in OCA_ADDONS]
    res = subprocess.run(
        [str(python), "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *specs],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    if res.returncode != 0:
        raise BenchError(
            "could not download the OCA 18.0 wheels "
            f"{', '.join(specs)} from PyPI (pip download --no-deps):\n{res.stderr[-2000:]}"
        )
    import zipfile

    staging = OCA_CACHE / "oca-staging"
    shutil.rmtree(staging, ignore_errors=True)
    for name in OCA_ADDONS:
        found = sorted(wheels.glob(f"odoo_addon_{name}-18.0.*.whl"))
        if not found:
            raise BenchError(f"no 18.0 wheel of {name} in {wheels} after pip download")
        with zipfile.ZipFile(found[-1]) as wheel:
            members = [m for m in wheel.namelist() if m.startswith(f"odoo/addons/{name}/")]
            wheel.extractall(staging, members)
    shutil.rmtree(target, ignore_errors=True)
    (staging / "odoo" / "addons").rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


# ---------------------------------------------------------------- orchestration


def odoo_args(env, db, oca_path, log):
    args = env.odoo_args(db)
    args = [
        f"--addons-path={env.addons_path},{oca_path}" if a.startswith("--addons-path=") else a
        for a in args
    ]
    return [*args, f"--logfile={log}"]


def run_worker(env, task, db, oca_path, out_dir, options):
    log = out_dir / f"{task}-{db}.log"
    result = out_dir / f"{task}-{db}.json"
    cmd = [
        str(env.python),
        str(Path(__file__).resolve()),
        "worker",
        task,
        "--odoo-args",
        json.dumps(odoo_args(env, db, oca_path, log)[2:]),
        "--result",
        str(result),
        "--options",
        json.dumps(options),
    ]
    res = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if res.returncode != 0 or not result.exists():
        tail = (res.stdout + res.stderr)[-4000:]
        raise BenchError(f"worker {task} on {db} failed (rc={res.returncode}); log {log}\n{tail}")
    return json.loads(result.read_text())


def check_db(env, db, out_dir):
    """Check the accounting invariants of a benchmark database (raises BenchError)."""
    return run_worker(env, "check", db, oca_addons_path(env.python), out_dir, {})


def install(env, db, modules, oca_path, out_dir):
    log = out_dir / f"install-{db}.log"
    args = [*odoo_args(env, db, oca_path, log), "--stop-after-init", "-i", ",".join(modules)]
    res = subprocess.run(args, check=False, capture_output=True, text=True)
    if res.returncode != 0 or "Modules loaded." not in log.read_text(errors="replace"):
        raise BenchError(f"installing {modules} into {db} failed; see {log}\n{res.stdout[-2000:]}")
    return log


def main_bench(argv=None):
    parser = argparse.ArgumentParser(prog="setup/bench", description=__doc__)
    parser.add_argument("--env-json", required=True)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42, help="random seed of the generator")
    parser.add_argument("--seeds", type=int, default=8, help="customers created by the ORM")
    parser.add_argument("--invoices", type=int, default=24, help="invoices per seed customer")
    parser.add_argument(
        "--big",
        default="1000,4000",
        help="open receivable lines of the very large customers (comma-separated)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (median)")
    parser.add_argument("--out", help="output folder (default .state/bench/<time>)")
    parser.add_argument(
        "--name", help="database name prefix (default <CRISK_DB_PREFIX>_bench_<customers>)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="developer shortcut: measure the databases a --keep run left (no generation)",
    )
    parser.add_argument("--skip", default="", help="scenarios to skip, e.g. 'e,f' (letters a-f)")
    args = parser.parse_args(argv)
    env = lib.Env.from_json(args.env_json)
    out_dir = Path(args.out or lib.STATE / "bench" / time.strftime("%Y%m%d-%H%M%S"))
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    oca_path = oca_addons_path(env.python)
    say(f"OCA addons: {oca_path}")
    prefix = args.name or f"{lib.DB_PREFIX}_bench_{args.customers}"
    dbs = {flavor: f"{prefix}_{flavor}" for flavor in FLAVORS}
    base = env.base_template(demo=False)
    options = {
        "customers": args.customers,
        "seed": args.seed,
        "seeds": args.seeds,
        "invoices": args.invoices,
        "big": [int(x) for x in args.big.split(",") if x],
        "repeat": args.repeat,
        "skip": [x for x in args.skip.split(",") if x],
    }
    try:
        if args.reuse:
            gen = json.loads(
                lib.psql(
                    env.python,
                    env.pg,
                    "SELECT value FROM ir_config_parameter WHERE key = 'bench.generation'",
                    dbname=dbs["native"],
                    fetch=True,
                )[0][0]
            )
        else:
            gen = build(env, args, dbs, base, oca_path, out_dir, options)
        measures = {}
        for flavor in FLAVORS:
            say(f"measuring {flavor}")
            measures[flavor] = run_worker(
                env, f"measure-{flavor}", dbs[flavor], oca_path, out_dir, {**options, **gen}
            )
    finally:
        if not args.keep:
            for db in dbs.values():
                lib.drop_db(env.python, env.pg, db)
    report = {
        "options": options,
        "generation": gen,
        "measures": measures,
        "machine": machine(env),
        "seconds": round(time.time() - started),
    }
    (out_dir / "results.json").write_text(json.dumps(report, indent=2, default=str))
    table = render(report)
    (out_dir / "table.md").write_text(table)
    print(table, flush=True)
    say(f"done in {report['seconds']} s; results in {out_dir}")
    return report


def build(env, args, dbs, base, oca_path, out_dir, options):
    say(f"generating {args.customers} customers (seed {args.seed}) in {dbs['native']}")
    lib.clone_db(env.python, env.pg, base, dbs["native"])
    gen = run_worker(env, "generate", dbs["native"], oca_path, out_dir, options)
    say(f"generated in {gen['seconds']:.0f} s: {gen['stats']}")
    for flavor, modules in (("oca", OCA_ADDONS), ("ours", lib.ADDONS)):
        lib.clone_db(env.python, env.pg, dbs["native"], dbs[flavor])
        t0 = time.time()
        install(env, dbs[flavor], modules, oca_path, out_dir)
        say(f"installed {', '.join(modules)} into {dbs[flavor]} in {time.time() - t0:.0f} s")
    return gen


def machine(env):
    mem = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    pg = lib.psql(env.python, env.pg, "SHOW server_version", fetch=True)[0][0]
    return {"nproc": os.cpu_count(), "ram_mib": mem, "postgresql": pg}


# ---------------------------------------------------------------- the table

ROWS = [
    # (key, label, native key, oca key)
    ("a:big1:pass", "a. check+confirm, big customer 1, passing", "a:big1:pass", "a:big1:pass"),
    ("a:big2:pass", "a. check+confirm, big customer 2, passing", "a:big2:pass", "a:big2:pass"),
    ("a:big1:block", "a. check, big customer 1, blocked", "a:big1:pass", "a:big1:block"),
    ("a:big2:block", "a. check, big customer 2, blocked", "a:big2:pass", "a:big2:block"),
    ("b:quarter", "b. risk of 1/4 of the customers", "b:quarter", "b:quarter"),
    ("b:all", "b. risk of all customers", "b:all", "b:all"),
    ("c:today", "c. aging as of today", "c:native_sql_today", None),
    ("c:past", "c. aging as of 90 days ago", "c:native_sql_today", None),
    ("d:xlsx", "d. aging XLSX export", None, None),
    ("e:followup", "e. follow-up run, overdue customers", None, None),
    ("f:assessment", "f. nightly assessment, all customers", None, None),
    ("f:second", "f. second night, all customers (tiers set)", None, None),
]


def _cell(res):
    if not res:
        return ["-", "-", "-"]
    return [f"{res['ms']:.0f}", str(res["queries"]), f"{res['mib']:.1f}"]


def _ratio(ours, other):
    if not ours or not other or not other["ms"]:
        return "-"
    return f"{ours['ms'] / other['ms']:.2f}"


def render(report):
    measures = report["measures"]
    gen = report["generation"]
    stats = gen["stats"]
    head = [
        "scenario",
        "native ms",
        "q",
        "MiB",
        "OCA ms",
        "q",
        "MiB",
        "ours ms",
        "q",
        "MiB",
        "ours/native",
        "ours/OCA",
    ]
    lines = [
        f"Customers {stats['customers']}, move lines {stats['move_lines']}, open receivable "
        f"lines {stats['open_receivable_lines']}, partials {stats['partials']}, confirmed "
        f"orders {stats['orders']}; big customers' open lines {gen['big_open_lines']}; "
        f"seed {report['options']['seed']}, median of {report['options']['repeat']} runs "
        "(b: 3, d-f: 1).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for key, label, native_key, oca_key in ROWS:
        ours = measures["ours"].get(key)
        native = measures["native"].get(native_key) if native_key else None
        if key.startswith("c:") and native_key:
            native = measures["ours"].get(native_key)  # the SQL pass on the same database
        oca = measures["oca"].get(oca_key) if oca_key else None
        if not (ours or native or oca):
            continue
        cells = [label, *_cell(native), *_cell(oca), *_cell(ours)]
        cells += [_ratio(ours, native), _ratio(ours, oca)]
        lines.append("| " + " | ".join(cells) + " |")
    checks = measures["ours"].get("checks", {})
    lines.append("")
    for name, value in sorted(checks.items()):
        lines.append(f"- {name}: {value}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- workers (inside Odoo)


def worker(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("task")
    parser.add_argument("--odoo-args", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--options", required=True)
    args = parser.parse_args(argv)
    options = json.loads(args.options)
    import odoo
    from odoo.tools import config

    config.parse_config(json.loads(args.odoo_args))
    db = config["db_name"]
    if isinstance(db, list):
        db = db[0]
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.task == "generate":
            result = task_generate(env, options)
        elif args.task == "check":
            import generate as gen

            result = {"invariants": gen.check_invariants(cr) and "ok"}
        else:
            result = task_measure(env, args.task.split("-", 1)[1], options)
        cr.commit()
    Path(args.result).write_text(json.dumps(result, default=str))


def task_generate(env, options):
    import generate as gen

    t0 = time.time()
    rng = random.Random(options["seed"])
    today = gen.today_of(env)
    env.company.account_use_credit_limit = True
    seed_ids = gen.seed(env, rng, options["seeds"], options["invoices"], today)
    env.cr.commit()
    t_seed = time.time() - t0
    per_seed = gen.open_lines_per_partner(env.cr, seed_ids)
    plan = gen.plan_customers(rng, seed_ids, options["customers"], options["big"], per_seed)
    bigs = len(options["big"])
    partner_of = gen.replicate(env.cr, seed_ids, plan, bigs)
    env.cr.commit()
    env.invalidate_all()
    big_ids = [partner_of[i] for i in range(bigs)]
    big_open = gen.open_lines_per_partner(env.cr, big_ids)
    gen.check_invariants(
        env.cr,
        expected_customers=options["customers"],
        bigs=[
            (pid, max(int(target * 0.5), 1))
            for pid, target in zip(big_ids, options["big"], strict=False)
        ],
    )
    result = {
        "seconds": time.time() - t0,
        "seed_seconds": round(t_seed, 1),
        "stats": gen.ledger_stats(env.cr),
        "big_ids": big_ids,
        "big_open_lines": [big_open[pid] for pid in big_ids],
        "invariants": "ok",
    }
    env["ir.config_parameter"].set_param("bench.generation", json.dumps(result))
    return result


def prepare_flavor(env, flavor, options):
    import scenarios as sc

    company = sc.company_of(env)
    big_ids = options["big_ids"]
    if flavor == "oca":
        # Count open and overdue invoices, draft invoices and orders in the risk, as a user
        # who adopts the module does.
        env.cr.execute(
            """UPDATE res_partner SET risk_invoice_draft_include = true,
                      risk_invoice_open_include = true, risk_invoice_unpaid_include = true,
                      risk_sale_order_include = true
                WHERE customer_rank > 0"""
        )
    if flavor == "ours":
        tier = env.ref("customer_risk.customer_risk_tier_low")
        tier.write(
            {
                "tolerance_percent": 0.0,
                **{f"rule_{rule}": "off" for rule in ("overdue_days", "overdue_amount")},
                "rule_limit": "block",
            }
        )
        sc.set_company_dependent(env, "risk_tier_id", big_ids, tier.id, company)
        # Every level automatic and every level an email, so the run over every overdue
        # customer executes (and queues) something for each of them.
        template = env.ref("customer_risk_collections.mail_template_followup")
        levels = env["customer.risk.followup.level"].search([("company_id", "=", company.id)])
        levels.write({"mode": "automatic"})
        levels.filtered(lambda level: not level.send_email).write(
            {"send_email": True, "mail_template_id": template.id}
        )
    env.cr.commit()
    env.invalidate_all()


def task_measure(env, flavor, options):
    import scenarios as sc

    prepare_flavor(env, flavor, options)
    skip = set(options.get("skip", []))
    repeat = options["repeat"]
    results = {}
    bigs = [(f"big{i + 1}", pid) for i, pid in enumerate(options["big_ids"])]
    if "a" not in skip:
        results.update(sc.confirm_scenarios(env, flavor, bigs, repeat))
    partner_ids = sc.customers(env)
    if "b" not in skip:
        quarter = partner_ids[: max(len(partner_ids) // 4, 1)]
        results["b:quarter"] = sc.risk_all(env, flavor, quarter, min(repeat, 3))
        results["b:all"] = sc.risk_all(env, flavor, partner_ids, min(repeat, 3))
    if "c" not in skip:
        results.update(sc.aging_scenarios(env, flavor, repeat))
    if flavor == "ours":
        checks = results.setdefault("checks", {})
        if "c" not in skip:
            company = sc.company_of(env)
            today = sc.fields.Date.context_today(env["res.partner"])
            bounds = (
                env["customer.risk.aging.bucket.set"]._default_for_company(company)._get_bounds()
            )
            native = sc.native_aging_sql(env, company, today, bounds)
            ours = env["customer.risk.aging"]._aging_by_partner(company, today, bounds)
            checks["aging_today_vs_native_sql"] = sc.aging_agreement(native, ours)
        if "d" not in skip:
            results["d:xlsx"] = sc.xlsx_export(env, 1)
        if "e" not in skip:
            results["e:followup"] = sc.followup_run(env)
        if "f" not in skip:
            results["f:assessment"] = sc.nightly_assessment(env, partner_ids)
            results["f:second"] = sc.second_night(env, partner_ids)
        for key in (
            "a:big1:pass",
            "a:big1:block",
            "b:all",
            "e:followup",
            "f:assessment",
            "f:second",
        ):
            if key in results:
                checks[f"result {key}"] = results[key]["result"]
    for res in results.values():
        if (
            isinstance(res, dict)
            and "result" in res
            and not isinstance(res["result"], str | int | float | dict | None)
        ):
            res["result"] = repr(res["result"])[:200]
    return results


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2:])
    else:
        try:
            main_bench()
        except BenchError as exc:
            print(f"\n[bench] ERROR: {exc}\n", file=sys.stderr, flush=True)
            sys.exit(2)
