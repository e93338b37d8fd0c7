"""Races over JSON-RPC against a real threaded server: each caller has its own connection,
request, cursor and transaction, as in production. The pairs of concurrent confirmations
are ``test_credit_rpc.test_concurrent_confirmations_never_both_pass`` (8 pairs by default,
1000 with CRISK_RELIABILITY_FULL=1); here: many connections on one customer, batches in
opposite customer order, and two managers deciding one release at once."""

import threading

import test_credit_rpc
from odoo_proc import size
from rpc import RpcError

world = test_credit_rpc.world
PASSWORD = test_credit_rpc.PASSWORD

CONNECTIONS = 10
ORDERS_PER_CONNECTION = size(2, 10)
DEADLOCK_ROUNDS = size(4, 60)
RELEASE_ROUNDS = size(4, 60)


def _race(calls):
    """Run the callables at the same moment (a barrier), return what each gave: the result,
    or the RpcError it raised."""
    barrier = threading.Barrier(len(calls))
    outcome = [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            outcome[i] = calls[i]()
        except RpcError as exc:
            outcome[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return outcome


def _server_log(world):
    return world["server"]["log"].read_text(errors="replace")


def _manager(world, login):
    admin = world["admin"]
    if not admin("res.users", "search", [("login", "=", login)]):
        groups = [
            admin("ir.model.data", "check_object_reference", *xmlid.split("."))[1]
            for xmlid in (
                "base.group_user",
                "sales_team.group_sale_salesman_all_leads",
                "account.group_account_invoice",
                "customer_risk.group_risk_manager",
            )
        ]
        uid = admin(
            "res.users",
            "create",
            {
                "name": login.title(),
                "login": login,
                "password": PASSWORD,
                "groups_id": [(6, 0, groups)],
            },
        )
        admin("res.users", "write", [uid], {"risk_release_max_amount": 100000.0})
    return world["login"](login)


def _released_order(world, sales, partner_id, amount):
    """A blocked quotation with a pending release request."""
    order_id = world["order"](sales, partner_id, amount)
    with_release = sales("sale.order", "action_request_risk_release", [order_id])
    return order_id, with_release["res_id"]


def test_ten_connections_never_overshoot_the_limit(world):
    limit = 6000.0
    partner_id = world["customer"](limit)
    conns = [world["login"]("rpc_sales") for _ in range(CONNECTIONS)]
    manager = _manager(world, "rpc_manager")
    # One order above the limit, released by a manager before the race: it may pass on top.
    big, release_id = _released_order(world, conns[0], partner_id, limit + 1200.0)
    manager("customer.risk.release", "action_approve", [release_id])
    orders = [
        [world["order"](conn, partner_id, 600.0) for _ in range(ORDERS_PER_CONNECTION)]
        for conn in conns
    ]
    orders[0].insert(0, big)

    def confirm_all(i):
        def go():
            passed = blocked = errors = 0
            for order_id in orders[i]:
                try:
                    conns[i]("sale.order", "action_confirm", [order_id])
                    passed += 1
                except RpcError as exc:
                    if exc.refused:
                        blocked += 1
                    else:
                        errors += 1
            return passed, blocked, errors

        return go

    outcome = _race([confirm_all(i) for i in range(CONNECTIONS)])
    assert all(isinstance(o, tuple) for o in outcome), outcome
    admin = world["admin"]
    confirmed = admin(
        "sale.order",
        "search_read",
        [("partner_id", "=", partner_id), ("state", "=", "sale")],
        ["amount_total"],
    )
    released = admin(
        "customer.risk.release",
        "search_read",
        [("partner_id", "=", partner_id), ("state", "in", ("approved", "used"))],
        ["amount"],
    )
    exposure = sum(o["amount_total"] for o in confirmed)
    allowed = limit + sum(r["amount"] for r in released)
    overshoot = max(0.0, exposure - allowed)
    passed = sum(o[0] for o in outcome)
    errors = sum(o[2] for o in outcome)
    assert passed == len(confirmed)
    print(
        f"RESULT ten_connections_overshoot: {overshoot:.2f} ({len(confirmed)} of "
        f"{sum(map(len, orders))} orders confirmed, exposure {exposure:.2f}, limit {limit:.2f} "
        f"+ releases {allowed - limit:.2f})"
    )
    print(f"RESULT ten_connections_server_errors: {errors}")
    assert overshoot == 0.0
    assert errors == 0
    # The race was real: some orders passed and some were refused.
    assert 0 < passed < sum(map(len, orders)), outcome


def test_batches_in_opposite_customer_order_never_deadlock(world):
    conns = [world["login"]("rpc_sales"), world["login"]("rpc_sales")]
    before = _server_log(world).count("deadlock detected")
    failures = []
    for _ in range(DEADLOCK_ROUNDS):
        a, b = world["customer"](100000.0), world["customer"](100000.0)
        ab = [world["order"](conns[0], a, 100.0), world["order"](conns[0], b, 100.0)]
        ba = [world["order"](conns[1], b, 100.0), world["order"](conns[1], a, 100.0)]
        outcome = _race(
            [
                lambda ab=ab: conns[0]("sale.order", "action_confirm", ab),
                lambda ba=ba: conns[1]("sale.order", "action_confirm", ba),
            ]
        )
        failures += [o for o in outcome if isinstance(o, RpcError)]
    deadlocks = _server_log(world).count("deadlock detected") - before
    deadlocks += sum("deadlock" in str(f).lower() for f in failures)
    print(f"RESULT opposite_batches_deadlocks: {deadlocks} ({DEADLOCK_ROUNDS} rounds)")
    assert deadlocks == 0
    assert not failures, failures


def test_two_managers_decide_one_release_once(world):
    sales = world["login"]("rpc_sales")
    managers = [_manager(world, "rpc_manager"), _manager(world, "rpc_manager_two")]
    admin = world["admin"]
    comment = admin("ir.model.data", "check_object_reference", "mail", "mt_comment")[1]
    duplicates = errors = 0
    for round_ in range(RELEASE_ROUNDS):
        partner_id = world["customer"](1000.0)
        _order_id, release_id = _released_order(world, sales, partner_id, 1500.0)
        second = "action_approve" if round_ % 2 == 0 else "action_reject"
        if second == "action_reject":
            managers[1](
                "customer.risk.release", "write", [release_id], {"decision_note": "too risky"}
            )
        outcome = _race(
            [
                lambda rid=release_id: managers[0](
                    "customer.risk.release", "action_approve", [rid]
                ),
                lambda rid=release_id, m=second: managers[1]("customer.risk.release", m, [rid]),
            ]
        )
        succeeded = [o for o in outcome if not isinstance(o, RpcError)]
        errors += sum(isinstance(o, RpcError) and not o.refused for o in outcome)
        release = admin(
            "customer.risk.release",
            "read",
            [release_id],
            ["state", "approved_by_id", "rejected_by_id", "message_ids"],
        )[0]
        decisions = admin(
            "mail.message",
            "search_count",
            [
                ("model", "=", "customer.risk.release"),
                ("res_id", "=", release_id),
                ("subtype_id", "=", comment),
                "|",
                ("body", "ilike", "approved by"),
                ("body", "ilike", "rejected by"),
            ],
        )
        decided = bool(release["approved_by_id"]) + bool(release["rejected_by_id"])
        # Two callers succeeded, both deciders recorded, or two decisions posted.
        duplicates += (len(succeeded) > 1) + (decided > 1) + (decisions > 1)
        assert len(succeeded) == 1 and decisions == 1, (outcome, release, decisions)
        assert release["state"] in ("approved", "rejected"), release
    print(f"RESULT release_duplicate_decisions: {duplicates} ({RELEASE_ROUNDS} releases)")
    print(f"RESULT release_race_server_errors: {errors}")
    assert duplicates == 0
    assert errors == 0
