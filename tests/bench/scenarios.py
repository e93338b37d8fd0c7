"""The measured scenarios, run inside Odoo on one of the three databases.

Each measurement is a real transaction on the benchmark database: time (wall clock),
queries (every cursor of the process, so work done in a separate transaction counts too)
and peak memory (the process's peak RSS above its RSS before the run, reset per run).
"""

import statistics
import time
from datetime import timedelta

from odoo import Command, fields, sql_db
from odoo.exceptions import UserError
from odoo.tools import SQL

# ---------------------------------------------------------------- metering

QUERIES = [0]
_execute = sql_db.Cursor.execute


def _counting_execute(self, *args, **kwargs):
    QUERIES[0] += 1
    return _execute(self, *args, **kwargs)


sql_db.Cursor.execute = _counting_execute


def _status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def measure(fn, setup=None, repeat=1, warmup=0):
    """Run ``setup`` (not measured) then ``fn`` ``repeat`` times, after ``warmup``
    unmeasured runs (a server's caches are warm: Odoo's, and the plans PostgreSQL keeps per
    connection); return the median time in ms, the median query count, the largest peak
    memory in MiB and ``fn``'s last result."""
    for _i in range(warmup):
        if setup:
            setup()
        fn()
    times, queries, peaks, result = [], [], [], None
    for _i in range(repeat):
        if setup:
            setup()
        _reset_peak()
        base_rss = _status("VmRSS")
        q0 = QUERIES[0]
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000.0)
        queries.append(QUERIES[0] - q0)
        peaks.append(max(_status("VmHWM") - base_rss, 0) / 2**20)
    return {
        "ms": round(statistics.median(times), 1),
        "queries": int(statistics.median(queries)),
        "mib": round(max(peaks), 1),
        "runs": len(times),
        "result": result,
    }


# ---------------------------------------------------------------- shared helpers


def company_of(env):
    return env.ref("base.main_company")


def customers(env):
    """Benchmark customers (commercial partners with customer rank), by id."""
    env.cr.execute(
        """SELECT id FROM res_partner
            WHERE active AND customer_rank > 0 AND id = commercial_partner_id
            ORDER BY id"""
    )
    return [row[0] for row in env.cr.fetchall()]


def receivable_accounts(env, company):
    return (
        env["account.account"]
        .search([("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)])
        .ids
    )


def native_aging_sql(env, company, today, bounds):
    """The best single native SQL pass of the buckets as of today: Odoo's own
    ``amount_residual`` of the unreconciled receivable lines (the partial index), summed per
    commercial partner and bucket. Returns {partner id: [amounts]}."""
    accounts = receivable_accounts(env, company)
    cases = [SQL("SUM(CASE WHEN d <= 0 THEN r END)")]
    low = 1
    for high in bounds:
        cases.append(SQL("SUM(CASE WHEN d BETWEEN %s AND %s THEN r END)", low, high))
        low = high + 1
    cases.append(SQL("SUM(CASE WHEN d >= %s THEN r END)", low))
    env.cr.execute(
        SQL(
            """
            SELECT partner_id, %(cases)s FROM (
                SELECT p.commercial_partner_id AS partner_id,
                       %(today)s::date - COALESCE(aml.date_maturity, aml.date) AS d,
                       aml.amount_residual AS r
                  FROM account_move_line aml
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.account_id = ANY(%(accounts)s)
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND aml.amount_residual != 0) items
             GROUP BY partner_id
            """,
            cases=SQL(", ").join(cases),
            today=today,
            accounts=accounts,
            company=company.id,
        )
    )
    return {row[0]: [v or 0.0 for v in row[1:]] for row in env.cr.fetchall()}


def set_company_dependent(env, column, partner_ids, value, company):
    """Write a company-dependent value of some partners in SQL (the benchmark's own set-up,
    outside any measure; our addons refuse such writes through the ORM by design)."""
    env.cr.execute(
        SQL(
            """UPDATE res_partner
                  SET %(col)s = COALESCE(%(col)s, '{}'::jsonb) || jsonb_build_object(%(key)s, %(v)s)
                WHERE id = ANY(%(ids)s)""",
            col=SQL.identifier(column),
            key=str(company.id),
            v=value,
            ids=list(partner_ids),
        )
    )
    env.invalidate_all()


# ---------------------------------------------------------------- scenario a


def confirm_scenarios(env, flavor, bigs, repeat):
    """Check + confirm of a fresh quotation of each very large customer, passing and
    (OCA, ours) blocked. ``bigs``: [(label, partner id)]."""
    company = company_of(env)
    product = env["product.product"].search([("name", "=", "Bench Service 0")], limit=1)
    results = {}
    for label, partner_id in bigs:
        for mode in ("pass", "block") if flavor != "native" else ("pass",):
            holder = {}

            def setup(partner_id=partner_id, mode=mode, holder=holder):
                limit = 1e12 if mode == "pass" else 1.0
                set_company_dependent(env, "credit_limit", [partner_id], limit, company)
                holder["order"] = env["sale.order"].create(
                    {
                        "partner_id": partner_id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 1, "price_unit": 100}
                            )
                        ],
                    }
                )
                env.cr.commit()
                env.invalidate_all()

            def run(holder=holder):
                order = holder["order"]
                try:
                    action = order.action_confirm()
                    env.cr.commit()
                except UserError:
                    env.cr.rollback()
                    env.invalidate_all()
                    return "blocked"
                if isinstance(action, dict) and action.get("res_model"):
                    return "blocked"  # OCA: the risk-exceeded wizard instead of confirming
                return order.state

            res = measure(run, setup=setup, repeat=repeat, warmup=5)
            results[f"a:{label}:{mode}"] = res
    return results


# ---------------------------------------------------------------- scenario b


def risk_all(env, flavor, partner_ids, repeat):
    """Risk figures of these customers: ours refreshes their snapshot with the daily job;
    native reads credit and credit_to_invoice; OCA reads its risk fields."""
    Partner = env["res.partner"]
    company = company_of(env)
    if flavor == "ours":

        def setup():
            # Only these customers are due: the job refreshes exactly them.
            env.cr.execute(
                SQL(
                    """UPDATE res_partner SET risk_snapshot_date =
                           CASE WHEN id = ANY(%(ids)s) THEN NULL
                                ELSE jsonb_build_object(%(key)s, now() AT TIME ZONE 'UTC') END""",
                    ids=list(partner_ids),
                    key=str(company.id),
                )
            )
            env.cr.commit()
            env.invalidate_all()

        def run():
            Partner._cron_risk_refresh_snapshots()
            env.cr.commit()
            env.cr.execute(
                SQL(
                    "SELECT count(*) FROM res_partner WHERE id = ANY(%s) "
                    "AND risk_snapshot_date ->> %s IS NOT NULL",
                    list(partner_ids),
                    str(company.id),
                )
            )
            return env.cr.fetchone()[0]

        return measure(run, setup=setup, repeat=repeat)
    names = ["credit", "credit_to_invoice"]
    if flavor == "oca":
        names = ["risk_total", "risk_exception"]

    def run():
        env.invalidate_all()
        rows = Partner.browse(partner_ids).read(names)
        return len(rows)

    return measure(run, repeat=repeat)


# ---------------------------------------------------------------- scenario c, d


def aging_scenarios(env, flavor, repeat, past_days=90):
    company = company_of(env)
    today = fields.Date.context_today(env["res.partner"])
    results = {}
    if flavor == "ours":
        bounds = env["customer.risk.aging.bucket.set"]._default_for_company(company)._get_bounds()
    else:
        bounds = (30, 60, 90, 120)
    results["c:native_sql_today"] = measure(
        lambda: native_aging_sql(env, company, today, bounds), repeat=repeat
    )
    if flavor != "ours":
        results["c:native_sql_today"]["result"] = None
        return results
    Aging = env["customer.risk.aging"]
    results["c:today"] = measure(
        lambda: Aging._aging_by_partner(company, today, bounds), repeat=repeat
    )
    results["c:past"] = measure(
        lambda: Aging._aging_by_partner(company, today - timedelta(days=past_days), bounds),
        repeat=repeat,
    )
    for res in results.values():
        res["result"] = len(res["result"])
    return results


def aging_agreement(native, ours):
    """Largest difference between two {partner: [bucket amounts]} and the two totals."""
    keys = set(native) | set(ours)
    width = max((len(v) for v in [*native.values(), *ours.values()]), default=0)
    worst = 0.0
    for key in keys:
        a = native.get(key, [0.0] * width)
        b = ours.get(key, [0.0] * width)
        worst = max(worst, *(abs((x or 0.0) - (y or 0.0)) for x, y in zip(a, b, strict=True)))
    total_native = sum(sum(v) for v in native.values())
    total_ours = sum(sum(v) for v in ours.values())
    return {
        "max_diff": round(worst, 4),
        "total_native": round(total_native, 2),
        "total_ours": round(total_ours, 2),
        "partners": len(keys),
    }


def xlsx_export(env, repeat):
    company = company_of(env)

    def run():
        wizard = env["customer.risk.aging.report"].create(
            {"company_ids": [Command.set(company.ids)], "group_by": "partner"}
        )
        action = wizard.action_export_xlsx()
        env.cr.commit()
        attachment = env["ir.attachment"].search(
            [("res_model", "=", wizard._name), ("res_id", "=", wizard.id)], limit=1
        )
        return {"bytes": attachment.file_size, "action": bool(action)}

    return measure(run, repeat=repeat)


# ---------------------------------------------------------------- scenario e, f


def followup_run(env):
    def count():
        env.cr.execute("SELECT count(*) FROM mail_mail WHERE state = 'outgoing'")
        queued = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM customer_risk_followup_execution")
        return queued, env.cr.fetchone()[0]

    before = count()

    def run():
        env["res.partner"]._cron_followup()
        env.cr.commit()
        after = count()
        return {"emails_queued": after[0] - before[0], "executions": after[1] - before[1]}

    return measure(run)


def nightly_assessment(env, partner_ids):
    company = company_of(env)
    yesterday = fields.Date.context_today(env["res.partner"]) - timedelta(days=1)
    set_company_dependent(env, "risk_review_date", partner_ids, yesterday.isoformat(), company)
    env.cr.commit()

    def run():
        env["customer.risk.assessment"]._cron_periodic_assessments()
        env.cr.commit()
        env.cr.execute(
            "SELECT count(*) FROM customer_risk_assessment WHERE kind = 'periodic' "
            "AND date = CURRENT_DATE"
        )
        return {"assessments": env.cr.fetchone()[0]}

    return measure(run)


def second_night(env, partner_ids):
    """The night after ``nightly_assessment``: the officers have confirmed every assessment
    it left for them (set-up, not measured), so every customer has a tier; every review is
    due again and the job reassesses everyone - most reviews now change nothing and are
    confirmed by the job itself. The first night's assessments are dated a day back (the
    job assesses a customer once per day)."""
    Assessment = env["customer.risk.assessment"]
    company = company_of(env)
    drafts = Assessment.search([("state", "=", "draft"), ("company_id", "=", company.id)])
    for start in range(0, len(drafts), 500):
        drafts[start : start + 500].sudo().action_confirm()
        env.cr.commit()
    env.cr.execute("UPDATE customer_risk_assessment SET date = date - 1 WHERE date = CURRENT_DATE")
    yesterday = fields.Date.context_today(env["res.partner"]) - timedelta(days=1)
    set_company_dependent(env, "risk_review_date", partner_ids, yesterday.isoformat(), company)
    env.cr.commit()

    def run():
        Assessment._cron_periodic_assessments()
        env.cr.commit()
        env.cr.execute(
            "SELECT state, count(*) FROM customer_risk_assessment WHERE kind = 'periodic' "
            "AND date = CURRENT_DATE GROUP BY state"
        )
        return dict(env.cr.fetchall())

    return measure(run)
