"""Deterministic benchmark data: seed customers through the ORM, then replicate in SQL.

``seed`` creates a few customers with real Odoo documents (posted invoices in two
currencies with varied payment terms, partial and full payments through the payment
wizard, open credit notes, draft invoices, confirmed uninvoiced orders). ``replicate``
copies those customers' documents in SQL to N customers, shifting every date of a copy by
the same number of days and keeping every amount, so each copy is as balanced and as
reconciled as its original; a few very large customers receive many copies.
``check_invariants`` verifies the accounting invariants of the whole ledger and raises
``InvariantError`` listing what is wrong.

Runs inside Odoo (``env`` / ``cr``); imported by ``tests/bench/harness.py``.
"""

import logging
import time
from datetime import timedelta

from odoo import Command, fields

_logger = logging.getLogger("bench.generate")

BIG_PREFIX = "Bench Big Customer"
CUSTOMER_PREFIX = "Bench Customer"


class InvariantError(AssertionError):
    pass


# ---------------------------------------------------------------- seed (ORM)


def seed(env, rng, seeds, invoices, today):
    """Create ``seeds`` seed customers with about ``invoices`` invoices each; return their
    ids. Deterministic for a given ``rng`` seed, template database and ``today``."""
    company = env.company
    eur = env.ref("base.EUR")
    eur.active = True
    # One rate for the whole period, 1 EUR = 2 USD: converted cents stay exact, so no
    # payment leaves a rounding difference (Odoo would book it as an exchange difference
    # whose lines it leaves half-matched).
    env["res.currency.rate"].create(
        {"currency_id": eur.id, "name": today - timedelta(days=900), "rate": 0.5}
    )
    terms = env["account.payment.term"].search([], order="id")
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Service {i}",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 100.0 * (i + 1),
            }
            for i in range(3)
        ]
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench Seed {i:02d}",
                "is_company": True,
                "customer_rank": 1,
                "email": f"seed{i:02d}@bench.example.com",
            }
            for i in range(seeds)
        ]
    )
    invoice_vals = []
    for partner in partners:
        for _n in range(invoices):
            invoice_vals.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=rng.randint(0, 360)),
                    "invoice_payment_term_id": rng.choice(terms).id,
                    "currency_id": eur.id if rng.random() < 0.2 else company.currency_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": rng.choice(products).id,
                                "quantity": rng.randint(1, 20),
                                "price_unit": round(rng.uniform(20, 900), 2),
                            }
                        )
                        for _l in range(rng.randint(1, 3))
                    ],
                }
            )
        invoice_vals.append(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": today - timedelta(days=rng.randint(0, 200)),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": products[0].id, "quantity": 1, "price_unit": 75.0}
                    )
                ],
            }
        )
    moves = env["account.move"].create(invoice_vals)
    moves.action_post()
    _logger.info("seed: %s invoices and credit notes posted", len(moves))
    # Draft invoices (not from an order) count in the exposure.
    env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": products[1].id, "quantity": 2, "price_unit": 150.0}
                    )
                ],
            }
            for partner in partners
        ]
    )
    for invoice in moves.filtered(lambda m: m.move_type == "out_invoice").sorted("id"):
        draw = rng.random()
        if draw < 0.35:
            continue  # unpaid
        if invoice.invoice_date > today - timedelta(days=5):
            continue
        pay_date = min(today, invoice.invoice_date + timedelta(days=rng.randint(3, 120)))
        if draw < 0.75:
            amount = invoice.amount_residual
        else:
            amount = invoice.currency_id.round(invoice.amount_residual * rng.uniform(0.2, 0.8))
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": pay_date, "amount": amount})._create_payments()
    _logger.info("seed: payments registered")
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "date_order": fields.Datetime.to_datetime(
                    today - timedelta(days=rng.randint(0, 20))
                ),
                "order_line": [
                    Command.create(
                        {
                            "product_id": rng.choice(products).id,
                            "product_uom_qty": rng.randint(1, 10),
                            "price_unit": round(rng.uniform(50, 500), 2),
                        }
                    )
                ],
            }
            for partner in partners
            for _o in range(rng.randint(1, 2))
        ]
    )
    orders.action_confirm()
    env.flush_all()
    return partners.ids


# ---------------------------------------------------------------- replicate (SQL)


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def _copy(cr, table, source, overrides):
    t0 = time.time()
    count = _copy_rows(cr, table, source, overrides)
    _logger.info("copied %s rows of %s in %.1f s", count, table, time.time() - t0)
    return count


def _copy_rows(cr, table, source, overrides):
    """INSERT INTO ``table`` every column of ``t`` (rows of ``source``, a FROM clause that
    names the copied table ``t``), with ``overrides`` {column: SQL expression}."""
    cols = _columns(cr, table)
    unknown = set(overrides) - set(cols)
    assert not unknown, f"{table}: no column {unknown}"
    exprs = [overrides.get(col, f"t.{col}") for col in cols]
    cr.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {source}")
    return cr.rowcount


def _map(cr, name, table, select, order):
    """Temp table ``name`` (old_id, copy_id, new_id) giving each copied row a new id of
    ``table``'s sequence, in a deterministic order."""
    cr.execute(f"DROP TABLE IF EXISTS {name}")
    cr.execute(f"CREATE TEMP TABLE {name} AS SELECT q.* FROM ({select}) q ORDER BY {order}")
    cr.execute(f"SELECT count(*) FROM {name}")
    count = cr.fetchone()[0]
    cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    start = cr.fetchone()[0]
    cr.execute(f"SELECT last_value FROM {table}_id_seq")
    start = max(start, cr.fetchone()[0])
    cr.execute(f"ALTER TABLE {name} ADD COLUMN new_id integer")
    cr.execute(
        f"""UPDATE {name} m SET new_id = %s + o.rn
              FROM (SELECT old_id, copy_id,
                           row_number() OVER (ORDER BY copy_id, old_id) AS rn
                      FROM {name}) o
             WHERE o.old_id = m.old_id AND o.copy_id = m.copy_id""",
        [start],
    )
    cr.execute(f"SELECT setval('{table}_id_seq', %s)", [start + count + 1])
    cr.execute(f"CREATE INDEX ON {name} (old_id, copy_id)")
    cr.execute(f"ANALYZE {name}")
    return count


def plan_customers(rng, seed_ids, customers, big_open_lines, open_per_seed):
    """The copies to make: [(copy_id, seed partner id, customer index, day shift)].

    Customer 0..len(big_open_lines)-1 are the very large customers (as many copies as
    their target of open lines needs); the others get one copy of a random seed each."""
    plan = []
    copy_id = 0
    avg_open = max(sum(open_per_seed.values()) / max(len(open_per_seed), 1), 1)
    for index in range(customers):
        if index < len(big_open_lines):
            copies = max(int(round(big_open_lines[index] / avg_open)), 1)
        else:
            copies = 1
        for _c in range(copies):
            copy_id += 1
            plan.append((copy_id, rng.choice(seed_ids), index, -rng.randint(0, 60)))
    return plan


def replicate(cr, seed_ids, plan, bigs):
    """Copy the seed customers' partners, moves, lines, reconciliations, payments and
    orders per ``plan``; the seed customers are archived afterwards (kept as the
    originals). Returns {customer index: partner id}."""
    cr.execute("DROP TABLE IF EXISTS bench_plan")
    cr.execute("CREATE TEMP TABLE bench_plan (copy_id int, seed_id int, customer int, shift int)")
    _insert_plan(cr, plan)
    cr.execute("ANALYZE bench_plan")
    # Customers: one partner per customer index, copied from its first seed.
    _map(
        cr,
        "bench_partner_map",
        "res_partner",
        """SELECT DISTINCT ON (customer) seed_id AS old_id, customer AS copy_id
             FROM bench_plan ORDER BY customer, copy_id""",
        "copy_id",
    )
    name = (
        f"CASE WHEN m.copy_id < {bigs} THEN '{BIG_PREFIX} ' ELSE '{CUSTOMER_PREFIX} ' END"
        " || lpad(m.copy_id::text, 5, '0')"
    )
    _copy(
        cr,
        "res_partner",
        "res_partner t JOIN bench_partner_map m ON m.old_id = t.id",
        {
            "id": "m.new_id",
            "name": name,
            "complete_name": name,
            "commercial_partner_id": "m.new_id",
            "commercial_company_name": name,
            "email": "'bench' || m.copy_id || '@bench.example.com'",
            "ref": "'B' || lpad(m.copy_id::text, 5, '0')",
        },
    )
    cr.execute("ALTER TABLE bench_plan ADD COLUMN partner_id int")
    cr.execute(
        """UPDATE bench_plan p SET partner_id = m.new_id
             FROM bench_partner_map m WHERE m.copy_id = p.customer"""
    )
    cr.execute("CREATE INDEX ON bench_plan (seed_id)")
    cr.execute("ANALYZE bench_plan")

    def partner_of(col):
        return f"CASE WHEN t.{col} = c.seed_id THEN c.partner_id ELSE t.{col} END"

    def shifted(col):
        return f"t.{col} + c.shift"

    # Moves of the seed customers (invoices, refunds, drafts, payments), once per copy.
    _map(
        cr,
        "bench_move_map",
        "account_move",
        # Exchange-difference entries have no partner on the move, only on their lines.
        """SELECT DISTINCT x.old_id, c.copy_id
             FROM (SELECT id AS old_id, partner_id AS seed_id FROM account_move
                   UNION SELECT move_id, partner_id FROM account_move_line) x
             JOIN bench_plan c ON c.seed_id = x.seed_id""",
        "copy_id, old_id",
    )
    _map(
        cr,
        "bench_line_map",
        "account_move_line",
        """SELECT l.id AS old_id, mm.copy_id FROM account_move_line l
             JOIN bench_move_map mm ON mm.old_id = l.move_id""",
        "copy_id, old_id",
    )
    _map(
        cr,
        "bench_payment_map",
        "account_payment",
        """SELECT ap.id AS old_id, mm.copy_id FROM account_payment ap
             JOIN bench_move_map mm ON mm.old_id = ap.move_id""",
        "copy_id, old_id",
    )
    _map(
        cr,
        "bench_partial_map",
        "account_partial_reconcile",
        """SELECT pr.id AS old_id, d.copy_id FROM account_partial_reconcile pr
             JOIN bench_line_map d ON d.old_id = pr.debit_move_id
             JOIN bench_line_map c ON c.old_id = pr.credit_move_id AND c.copy_id = d.copy_id""",
        "copy_id, old_id",
    )
    _map(
        cr,
        "bench_full_map",
        "account_full_reconcile",
        """SELECT DISTINCT fr.id AS old_id, lm.copy_id FROM account_full_reconcile fr
             JOIN account_move_line l ON l.full_reconcile_id = fr.id
             JOIN bench_line_map lm ON lm.old_id = l.id""",
        "copy_id, old_id",
    )
    _map(
        cr,
        "bench_order_map",
        "sale_order",
        """SELECT so.id AS old_id, c.copy_id FROM sale_order so
             JOIN bench_plan c ON c.seed_id = so.partner_id""",
        "copy_id, old_id",
    )
    _map(
        cr,
        "bench_order_line_map",
        "sale_order_line",
        """SELECT sol.id AS old_id, om.copy_id FROM sale_order_line sol
             JOIN bench_order_map om ON om.old_id = sol.order_id""",
        "copy_id, old_id",
    )
    move_name = (
        "CASE WHEN t.name = '/' OR t.state = 'draft' THEN t.name "
        "ELSE split_part(t.name, '/', 1) || '/B/' || lpad(m.new_id::text, 8, '0') END"
    )
    _copy(
        cr,
        "account_move",
        """account_move t JOIN bench_move_map m ON m.old_id = t.id
           JOIN bench_plan c ON c.copy_id = m.copy_id""",
        {
            "id": "m.new_id",
            "name": move_name,
            "sequence_prefix": "split_part(t.name, '/', 1) || '/B/'",
            "sequence_number": "CASE WHEN t.state = 'draft' THEN t.sequence_number "
            "ELSE m.new_id END",
            "payment_reference": "CASE WHEN t.payment_reference IS NULL THEN NULL ELSE "
            + move_name
            + " END",
            "ref": "t.ref",
            "partner_id": partner_of("partner_id"),
            "commercial_partner_id": partner_of("commercial_partner_id"),
            "partner_shipping_id": partner_of("partner_shipping_id"),
            "date": shifted("date"),
            "invoice_date": shifted("invoice_date"),
            "invoice_date_due": shifted("invoice_date_due"),
            # Set once the payments exist (the two tables refer to each other).
            "origin_payment_id": "NULL",
            "reversed_entry_id": "NULL",
            "inalterable_hash": "NULL",
            "secure_sequence_number": "NULL",
            "access_token": "NULL",
            "message_main_attachment_id": "NULL",
            "invoice_partner_display_name": "NULL",
        },
    )
    cr.execute(
        """UPDATE account_move am
              SET invoice_partner_display_name = p.name
             FROM bench_move_map m, res_partner p
            WHERE am.id = m.new_id AND p.id = am.commercial_partner_id
              AND am.move_type != 'entry'"""
    )
    _copy(
        cr,
        "account_payment",
        """account_payment t JOIN bench_payment_map m ON m.old_id = t.id
           JOIN bench_plan c ON c.copy_id = m.copy_id
           JOIN bench_move_map mm ON mm.old_id = t.move_id AND mm.copy_id = m.copy_id""",
        {
            "id": "m.new_id",
            "move_id": "mm.new_id",
            "partner_id": partner_of("partner_id"),
            "date": shifted("date"),
            "name": "t.name || '/B' || m.new_id",
            "message_main_attachment_id": "NULL",
            "source_payment_id": "NULL",
            "paired_internal_transfer_payment_id": "NULL",
        },
    )
    cr.execute(
        """UPDATE account_move am SET origin_payment_id = pm.new_id
             FROM bench_move_map m, account_move old, bench_payment_map pm
            WHERE am.id = m.new_id AND old.id = m.old_id
              AND pm.old_id = old.origin_payment_id AND pm.copy_id = m.copy_id"""
    )
    _copy(
        cr,
        "account_full_reconcile",
        "account_full_reconcile t JOIN bench_full_map m ON m.old_id = t.id",
        {
            "id": "m.new_id",
            "exchange_move_id": "(SELECT em.new_id FROM bench_move_map em "
            "WHERE em.old_id = t.exchange_move_id AND em.copy_id = m.copy_id)",
        },
    )
    _copy(
        cr,
        "account_move_line",
        """account_move_line t JOIN bench_line_map m ON m.old_id = t.id
           JOIN bench_plan c ON c.copy_id = m.copy_id
           JOIN bench_move_map mm ON mm.old_id = t.move_id AND mm.copy_id = m.copy_id
           JOIN account_move nm ON nm.id = mm.new_id""",
        {
            "id": "m.new_id",
            "move_id": "mm.new_id",
            "move_name": "nm.name",
            "partner_id": partner_of("partner_id"),
            "date": shifted("date"),
            "invoice_date": shifted("invoice_date"),
            "date_maturity": shifted("date_maturity"),
            "discount_date": shifted("discount_date"),
            "payment_id": "nm.origin_payment_id",
            "full_reconcile_id": "(SELECT fm.new_id FROM bench_full_map fm "
            "WHERE fm.old_id = t.full_reconcile_id AND fm.copy_id = m.copy_id)",
            "matching_number": "CASE WHEN t.full_reconcile_id IS NOT NULL THEN "
            "(SELECT fm.new_id FROM bench_full_map fm WHERE fm.old_id = t.full_reconcile_id "
            "AND fm.copy_id = m.copy_id)::text "
            "WHEN t.matching_number LIKE 'P%%' THEN 'P' || (SELECT pm.new_id "
            "FROM bench_partial_map pm WHERE pm.old_id = substr(t.matching_number, 2)::int "
            "AND pm.copy_id = m.copy_id) ELSE t.matching_number END",
            "statement_line_id": "NULL",
            "statement_id": "NULL",
        },
    )
    _copy(
        cr,
        "account_partial_reconcile",
        """account_partial_reconcile t JOIN bench_partial_map m ON m.old_id = t.id
           JOIN bench_plan c ON c.copy_id = m.copy_id
           JOIN bench_line_map d ON d.old_id = t.debit_move_id AND d.copy_id = m.copy_id
           JOIN bench_line_map k ON k.old_id = t.credit_move_id AND k.copy_id = m.copy_id""",
        {
            "id": "m.new_id",
            "debit_move_id": "d.new_id",
            "credit_move_id": "k.new_id",
            "full_reconcile_id": "(SELECT fm.new_id FROM bench_full_map fm "
            "WHERE fm.old_id = t.full_reconcile_id AND fm.copy_id = m.copy_id)",
            "exchange_move_id": "(SELECT em.new_id FROM bench_move_map em "
            "WHERE em.old_id = t.exchange_move_id AND em.copy_id = m.copy_id)",
            "max_date": shifted("max_date"),
        },
    )
    for rel, left, right in (
        ("account_move_line_account_tax_rel", "account_move_line_id", "account_tax_id"),
        (
            "account_account_tag_account_move_line_rel",
            "account_move_line_id",
            "account_account_tag_id",
        ),
    ):
        cr.execute(
            f"""INSERT INTO {rel} ({left}, {right})
                SELECT m.new_id, r.{right} FROM {rel} r
                  JOIN bench_line_map m ON m.old_id = r.{left}"""
        )
    cr.execute(
        """INSERT INTO account_move__account_payment (invoice_id, payment_id)
           SELECT mm.new_id, pm.new_id FROM account_move__account_payment r
             JOIN bench_move_map mm ON mm.old_id = r.invoice_id
             JOIN bench_payment_map pm ON pm.old_id = r.payment_id AND pm.copy_id = mm.copy_id"""
    )
    _copy(
        cr,
        "sale_order",
        """sale_order t JOIN bench_order_map m ON m.old_id = t.id
           JOIN bench_plan c ON c.copy_id = m.copy_id""",
        {
            "id": "m.new_id",
            "name": "'BSO' || lpad(m.new_id::text, 8, '0')",
            "partner_id": partner_of("partner_id"),
            "partner_invoice_id": partner_of("partner_invoice_id"),
            "partner_shipping_id": partner_of("partner_shipping_id"),
            "date_order": "t.date_order + make_interval(days => c.shift)",
            "access_token": "NULL",
        },
    )
    _copy(
        cr,
        "sale_order_line",
        """sale_order_line t JOIN bench_order_line_map m ON m.old_id = t.id
           JOIN bench_plan c ON c.copy_id = m.copy_id
           JOIN bench_order_map om ON om.old_id = t.order_id AND om.copy_id = m.copy_id""",
        {
            "id": "m.new_id",
            "order_id": "om.new_id",
            "order_partner_id": partner_of("order_partner_id"),
            "linked_line_id": "NULL",
            "combo_item_id": "NULL",
        },
    )
    cr.execute(
        """INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id, account_tax_id)
           SELECT m.new_id, r.account_tax_id FROM account_tax_sale_order_line_rel r
             JOIN bench_order_line_map m ON m.old_id = r.sale_order_line_id"""
    )
    # The seeds stay as the originals of the copies, but out of the customers measured.
    cr.execute(
        "UPDATE res_partner SET active = false, customer_rank = 0 WHERE id = ANY(%s)",
        [list(seed_ids)],
    )
    for table in (
        "res_partner",
        "account_move",
        "account_move_line",
        "account_partial_reconcile",
        "account_full_reconcile",
        "account_payment",
        "sale_order",
        "sale_order_line",
    ):
        cr.execute(f"ANALYZE {table}")
    cr.execute("SELECT copy_id, new_id FROM bench_partner_map")
    return dict(cr.fetchall())


def _insert_plan(cr, plan):
    for start in range(0, len(plan), 5000):
        chunk = plan[start : start + 5000]
        cr.execute(
            "INSERT INTO bench_plan VALUES " + ",".join(["(%s,%s,%s,%s)"] * len(chunk)),
            [v for row in chunk for v in row],
        )


def open_lines_per_partner(cr, partner_ids):
    cr.execute(
        """SELECT l.partner_id, count(*) FROM account_move_line l
             JOIN account_account a ON a.id = l.account_id
            WHERE a.account_type = 'asset_receivable' AND NOT l.reconciled
              AND l.parent_state = 'posted' AND l.partner_id = ANY(%s)
            GROUP BY l.partner_id""",
        [list(partner_ids)],
    )
    found = dict(cr.fetchall())
    return {pid: found.get(pid, 0) for pid in partner_ids}


# ---------------------------------------------------------------- invariants


INVARIANTS = {
    "unbalanced posted moves": """
        SELECT l.move_id FROM account_move_line l
         WHERE l.parent_state = 'posted'
         GROUP BY l.move_id
        HAVING abs(SUM(l.balance)) > 0.001 OR abs(SUM(l.debit) - SUM(l.credit)) > 0.001""",
    "line balance is not debit - credit": """
        SELECT id FROM account_move_line
         WHERE abs(balance - (debit - credit)) > 0.001""",
    "company-currency line with amount_currency != balance": """
        SELECT l.id FROM account_move_line l JOIN res_company c ON c.id = l.company_id
         WHERE l.currency_id = c.currency_id AND abs(l.amount_currency - l.balance) > 0.001
           AND l.display_type NOT IN ('line_section', 'line_note')""",
    "residual inconsistent with partial reconciliations": """
        SELECT l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.reconcile
         WHERE l.parent_state = 'posted'
           AND abs(l.amount_residual - (l.balance
                 - COALESCE((SELECT SUM(amount) FROM account_partial_reconcile
                              WHERE debit_move_id = l.id), 0)
                 + COALESCE((SELECT SUM(amount) FROM account_partial_reconcile
                              WHERE credit_move_id = l.id), 0))) > 0.001""",
    "currency residual inconsistent with partial reconciliations": """
        SELECT l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.reconcile
         WHERE l.parent_state = 'posted'
           AND abs(l.amount_residual_currency - (l.amount_currency
                 - COALESCE((SELECT SUM(debit_amount_currency) FROM account_partial_reconcile
                              WHERE debit_move_id = l.id), 0)
                 + COALESCE((SELECT SUM(credit_amount_currency) FROM account_partial_reconcile
                              WHERE credit_move_id = l.id), 0))) > 0.001""",
    "reconciled flag disagrees with residual": """
        SELECT l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.reconcile
         WHERE l.parent_state = 'posted'
           AND l.reconciled != (l.amount_residual = 0 AND l.amount_residual_currency = 0)""",
    "full reconciliation with an open line": """
        SELECT id FROM account_move_line
         WHERE full_reconcile_id IS NOT NULL AND (amount_residual != 0 OR NOT reconciled)""",
    "wrong matching number": """
        SELECT l.id FROM account_move_line l
         WHERE (l.full_reconcile_id IS NOT NULL
                AND l.matching_number IS DISTINCT FROM l.full_reconcile_id::text)
            OR (l.full_reconcile_id IS NULL
                AND EXISTS (SELECT 1 FROM account_partial_reconcile pr
                             WHERE l.id IN (pr.debit_move_id, pr.credit_move_id))
                AND l.matching_number NOT LIKE 'P%')
            OR (l.matching_number LIKE 'P%'
                AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile pr
                                 WHERE pr.id = substr(l.matching_number, 2)::int
                                   AND pr.full_reconcile_id IS NULL))""",
    "partial matched across partners": """
        SELECT pr.id FROM account_partial_reconcile pr
          JOIN account_move_line d ON d.id = pr.debit_move_id
          JOIN account_move_line c ON c.id = pr.credit_move_id
         WHERE d.partner_id IS DISTINCT FROM c.partner_id
            OR d.account_id != c.account_id""",
    "receivable line without the move's partner": """
        SELECT l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
          JOIN account_move m ON m.id = l.move_id
         WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
           AND (l.partner_id IS NULL OR l.partner_id != m.commercial_partner_id)""",
    "invoice residual != its receivable lines": """
        SELECT m.id FROM account_move m
          JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
         GROUP BY m.id, m.amount_residual_signed
        HAVING abs(abs(m.amount_residual_signed) - abs(SUM(l.amount_residual))) > 0.001""",
    "invoice payment state disagrees with its residual": """
        SELECT m.id FROM account_move m
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
           AND ((m.payment_state IN ('paid', 'in_payment') AND m.amount_residual != 0)
             OR (m.payment_state = 'not_paid' AND m.amount_residual != m.amount_total)
             OR (m.payment_state = 'partial'
                 AND NOT (m.amount_residual > 0 AND m.amount_residual < m.amount_total)))""",
    "duplicate posted move names": """
        SELECT name FROM account_move WHERE state = 'posted'
         GROUP BY journal_id, name HAVING count(*) > 1""",
    "line dated in the future": """
        SELECT id FROM account_move_line WHERE date > CURRENT_DATE""",
}


def check_invariants(cr, expected_customers=None, bigs=()):
    """Raise InvariantError naming every invariant that fails (with example ids)."""
    failures = []
    for label, query in INVARIANTS.items():
        cr.execute(f"SELECT * FROM ({query}) q LIMIT 5")
        rows = cr.fetchall()
        if rows:
            failures.append(f"{label}: e.g. {[r[0] for r in rows]}")
    if expected_customers is not None:
        cr.execute(
            """SELECT count(*) FROM res_partner
                WHERE active AND customer_rank > 0 AND id = commercial_partner_id
                  AND (name LIKE %s OR name LIKE %s)""",
            [CUSTOMER_PREFIX + " %", BIG_PREFIX + " %"],
        )
        found = cr.fetchone()[0]
        if found != expected_customers:
            failures.append(f"customers: {found} instead of {expected_customers}")
    for partner_id, minimum in bigs:
        count = open_lines_per_partner(cr, [partner_id])[partner_id]
        if count < minimum:
            failures.append(f"big customer {partner_id}: {count} open lines < {minimum}")
    if failures:
        raise InvariantError("benchmark data breaks invariants:\n  " + "\n  ".join(failures))
    return True


def ledger_stats(cr):
    cr.execute(
        """SELECT (SELECT count(*) FROM res_partner
                    WHERE active AND customer_rank > 0 AND id = commercial_partner_id),
                  (SELECT count(*) FROM account_move),
                  (SELECT count(*) FROM account_move_line),
                  (SELECT count(*) FROM account_move_line l
                     JOIN account_account a ON a.id = l.account_id
                    WHERE a.account_type = 'asset_receivable' AND NOT l.reconciled
                      AND l.parent_state = 'posted'),
                  (SELECT count(*) FROM account_partial_reconcile),
                  (SELECT count(*) FROM sale_order WHERE state = 'sale')"""
    )
    keys = ("customers", "moves", "move_lines", "open_receivable_lines", "partials", "orders")
    return dict(zip(keys, cr.fetchone(), strict=True))


def today_of(env):
    return fields.Date.context_today(env["res.partner"])
