"""Money over JSON-RPC: the limit's boundary in currencies with 0, 2 and 3 decimals; the
exposure of customers with foreign-currency invoices, partial payments and rate changes,
recomputed here independently in SQL from journal items and reconciliations; and the same
decision whatever companies the user has switched on."""

import datetime
import uuid

import pytest
import test_credit_rpc
from conftest import lib
from odoo_proc import size
from rpc import RpcError

world = test_credit_rpc.world
CUSTOMERS = size(4, 40)


@pytest.fixture(scope="module")
def money(world):
    admin = world["admin"]
    manager = world["login"]("rpc_manager")
    main = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    currencies = {}
    for code in ("JPY", "KWD", "EUR"):
        cid = admin(
            "res.currency", "search", [("name", "=", code)], context={"active_test": False}
        )[0]
        admin("res.currency", "write", [cid], {"active": True})
        currencies[code] = cid
    companies = {"USD": main}
    for code in ("JPY", "KWD"):
        companies[code] = admin(
            "res.company",
            "create",
            {"name": f"{code} Co {uuid.uuid4().hex[:4]}", "currency_id": currencies[code]},
        )
    for uid in (admin.uid, manager.uid):
        admin(
            "res.users",
            "write",
            [uid],
            {"company_ids": [(4, c) for c in companies.values()]},
        )
    return {"main": main, "companies": companies, "currencies": currencies}


def _customer(world, company_id, limit):
    """A customer of the low tier (no tolerance) with ``limit`` in ``company_id``."""
    admin = world["admin"]
    manager = world["login"]("rpc_manager")
    ctx = {"allowed_company_ids": [company_id]}
    tier_id = admin(
        "ir.model.data", "check_object_reference", "customer_risk", "customer_risk_tier_low"
    )[1]
    partner_id = admin(
        "res.partner",
        "create",
        {"name": f"Money {uuid.uuid4().hex[:6]}", "is_company": True, "customer_rank": 1},
    )
    for change in (
        {"kind": "tier", "new_tier_id": tier_id},
        {"kind": "limit", "new_credit_limit": limit},
    ):
        request_id = admin(
            "customer.risk.limit.request",
            "create",
            {"partner_id": partner_id, "reason": "money test", **change},
            context=ctx,
        )
        admin("customer.risk.limit.request", "action_submit", [request_id], context=ctx)
        manager("customer.risk.limit.request", "action_approve", [request_id], context=ctx)
        admin("customer.risk.limit.request", "action_apply", [request_id], context=ctx)
    return partner_id


def _order(world, company_id, partner_id, amount, ctx_companies=None):
    """A quotation of ``amount`` (a number, or [(price, quantity)] lines)."""
    admin = world["admin"]
    product_id = admin("product.product", "search", [("name", "=", "RPC Widget")])[0]
    lines = amount if isinstance(amount, list) else [(amount, 1)]
    return admin(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "company_id": company_id,
            "order_line": [
                (
                    0,
                    0,
                    {
                        "product_id": product_id,
                        "product_uom_qty": qty,
                        "price_unit": price,
                        "tax_id": [(6, 0, [])],
                    },
                )
                for price, qty in lines
            ],
        },
        context={"allowed_company_ids": ctx_companies or [company_id]},
    )


def _confirm(world, order_id, companies):
    try:
        world["admin"](
            "sale.order", "action_confirm", [order_id], context={"allowed_company_ids": companies}
        )
        return "passed"
    except RpcError as exc:
        assert exc.refused, exc
        return "blocked"


# Prices have two decimals in Odoo: one minor unit of KWD is 0.01 x 0.1.
BOUNDARIES = {
    "JPY": (100000.0, 0, [(100000, 1)], [(100000, 1), (1, 1)], [(99999, 1)]),
    "USD": (1000.0, 2, [(1000, 1)], [(1000, 1), (0.01, 1)], [(999.99, 1)]),
    "KWD": (100.0, 3, [(100, 1)], [(100, 1), (0.01, 0.1)], [(99.99, 1), (0.01, 0.9)]),
}


def test_limit_boundary_in_0_2_3_decimals(world, money):
    wrong = []
    for code, (limit, decimals, at, above, below) in BOUNDARIES.items():
        company_id = money["companies"][code]
        unit = 10**-decimals
        for lines, amount, expected in (
            (at, limit, "passed"),
            (above, limit + unit, "blocked"),
            (below, limit - unit, "passed"),
        ):
            partner_id = _customer(world, company_id, limit)
            order_id = _order(world, company_id, partner_id, lines)
            total = world["admin"]("sale.order", "read", [order_id], ["amount_total"])[0]
            assert round(total["amount_total"], decimals) == round(amount, decimals), (
                code,
                total,
                amount,
            )
            outcome = _confirm(world, order_id, [company_id])
            if outcome != expected:
                wrong.append(f"{code} limit {limit} order {total['amount_total']}: {outcome}")
    print(
        f"RESULT limit_boundary_wrong_decisions: {len(wrong)} (JPY, USD, KWD; at, above, "
        f"below the limit by one minor unit)"
    )
    assert not wrong, wrong


def _sql_exposure(crisk_env, db, partner_id, company_id, today):
    """Exposure recomputed from journal items, reconciliations, drafts and orders, without
    Odoo's residual fields: what the customer owes in company currency."""
    receivable = lib.psql(
        crisk_env.python,
        crisk_env.pg,
        f"""
        SELECT COALESCE(SUM(aml.balance::float
               - COALESCE((SELECT SUM(amount) FROM account_partial_reconcile
                            WHERE debit_move_id = aml.id), 0)
               + COALESCE((SELECT SUM(amount) FROM account_partial_reconcile
                            WHERE credit_move_id = aml.id), 0)), 0)
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
          JOIN account_move m ON m.id = aml.move_id
         WHERE acc.account_type = 'asset_receivable' AND m.state = 'posted'
           AND aml.partner_id = {partner_id} AND aml.company_id = {company_id}
    """,
        dbname=db,
        fetch=True,
    )[0][0]
    drafts = lib.psql(
        crisk_env.python,
        crisk_env.pg,
        f"""
        SELECT COALESCE(SUM(amount_total_signed), 0)::float FROM account_move
         WHERE state = 'draft' AND move_type IN ('out_invoice', 'out_refund')
           AND partner_id = {partner_id} AND company_id = {company_id}
    """,
        dbname=db,
        fetch=True,
    )[0][0]
    orders = lib.psql(
        crisk_env.python,
        crisk_env.pg,
        f"""
        SELECT COALESCE(SUM(so.amount_total::float / COALESCE((
                   SELECT r.rate FROM res_currency_rate r
                    WHERE r.currency_id = so.currency_id AND r.name <= '{today}'
                      AND (r.company_id = {company_id} OR r.company_id IS NULL)
                    ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1), 1)), 0)::float
          FROM sale_order so
         WHERE so.state = 'sale' AND so.partner_id = {partner_id}
           AND so.company_id = {company_id}
           AND NOT EXISTS (SELECT 1 FROM sale_order_line sol
                             JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                            WHERE sol.order_id = so.id)
    """,
        dbname=db,
        fetch=True,
    )[0][0]
    return float(receivable) + float(drafts) + float(orders)


def test_exposure_matches_an_independent_sql_figure(world, money, crisk_env):
    admin = world["admin"]
    main, eur = money["main"], money["currencies"]["EUR"]
    today = datetime.date.today()
    days = lambda n: str(today - datetime.timedelta(days=n))  # noqa: E731
    for delta, rate in ((90, 0.8), (45, 1.25), (10, 0.95), (0, 1.1)):
        existing = admin(
            "res.currency.rate",
            "search",
            [("currency_id", "=", eur), ("name", "=", days(delta)), ("company_id", "=", main)],
        )
        if not existing:
            admin(
                "res.currency.rate",
                "create",
                {"currency_id": eur, "name": days(delta), "rate": rate, "company_id": main},
            )
    product_id = admin("product.product", "search", [("name", "=", "RPC Widget")])[0]
    mismatches = []
    for i in range(CUSTOMERS):
        partner_id = _customer(world, main, 1e9)
        invoices = []
        for delta, currency, price in (
            (80, eur, 1234.57 + i),
            (40, eur, 987.65),
            (20, None, 500.01 + i),
        ):
            vals = {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": days(delta),
                "company_id": main,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product_id,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [],
                        },
                    )
                ],
            }
            if currency:
                vals["currency_id"] = currency
            invoices.append(admin("account.move", "create", vals))
        admin("account.move", "action_post", invoices)
        # Partial payments, in EUR at today's rate and in USD.
        for move_id, amount, currency in (
            (invoices[0], 400.0 + i, eur),
            (invoices[2], 123.45, None),
        ):
            ctx = {"active_model": "account.move", "active_ids": [move_id]}
            vals = {"amount": amount, "payment_date": str(today)}
            if currency:
                vals["currency_id"] = currency
            wizard = admin("account.payment.register", "create", vals, context=ctx)
            admin("account.payment.register", "action_create_payments", [wizard], context=ctx)
        # A draft invoice in EUR and a confirmed order in EUR, not invoiced yet.
        admin(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": days(5),
                "currency_id": eur,
                "company_id": main,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product_id,
                            "quantity": 3,
                            "price_unit": 33.33,
                            "tax_ids": [],
                        },
                    )
                ],
            },
        )
        pricelist = admin("product.pricelist", "search", [("currency_id", "=", eur)], limit=1)
        if not pricelist:
            pricelist = [admin("product.pricelist", "create", {"name": "EUR", "currency_id": eur})]
        order_id = _order(world, main, partner_id, 777.77)
        admin("sale.order", "write", [order_id], {"pricelist_id": pricelist[0]})
        admin("sale.order", "action_update_prices", [order_id])
        _confirm(world, order_id, [main])
        ours = admin(
            "res.partner",
            "read",
            [partner_id],
            ["risk_live_exposure"],
            context={"allowed_company_ids": [main]},
        )[0]["risk_live_exposure"]
        theirs = _sql_exposure(crisk_env, world["server"]["db"], partner_id, main, today)
        if abs(ours - theirs) > 0.01 + 1e-9:
            mismatches.append(f"customer {partner_id}: ours {ours:.2f}, SQL {theirs:.2f}")
    print(
        f"RESULT exposure_mismatches_above_one_cent: {len(mismatches)} of {CUSTOMERS} "
        "customers (EUR invoices at 3 rates, partial payments, draft, EUR order)"
    )
    assert not mismatches, mismatches


def test_same_decision_whatever_companies_are_active(world, money):
    main, jp, kw = (money["companies"][c] for c in ("USD", "JPY", "KWD"))
    mismatches = []
    for companies in ([main], [main, jp], [jp, main], [kw, jp, main]):
        partner_id = _customer(world, main, 1000.0)
        blocked = _order(world, main, partner_id, 1000.01, companies)
        passing = _order(world, main, partner_id, 999.99, companies)
        got = (_confirm(world, blocked, companies), _confirm(world, passing, companies))
        if got != ("blocked", "passed"):
            mismatches.append(f"companies {companies}: {got}")
    print(f"RESULT decision_mismatches_across_active_companies: {len(mismatches)} of 4")
    assert not mismatches, mismatches
