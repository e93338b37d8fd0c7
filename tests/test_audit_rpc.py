"""Four-eyes limit changes and the tamper-evident audit log, over JSON-RPC against a real
Odoo server, as any client would do it."""

import threading
import uuid

import pytest
from conftest import lib
from rpc import Rpc, RpcError

PASSWORD = "Risk-Audit-1"
REQUEST = "customer.risk.limit.request"
LOG = "customer.risk.audit.log"
# Context keys a client may send: none of them switches a check or the log off.
CONTEXTS = (
    {},
    {"tracking_disable": True, "mail_notrack": True},
    {"bypass_risk_check": True, "bypass_four_eyes": True},
    {"active_test": False},
)


@pytest.fixture(scope="module")
def world(odoo_server, crisk_env):
    url, db = odoo_server["url"], odoo_server["db"]
    admin = Rpc(url, db, "admin", "admin")
    company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]

    def ref(xmlid):
        module, name = xmlid.split(".")
        return admin("ir.model.data", "check_object_reference", module, name)[1]

    manager_groups = [
        "base.group_user",
        "sales_team.group_sale_salesman_all_leads",
        "account.group_account_invoice",
        "customer_risk.group_risk_manager",
    ]
    users = {
        "rpc_a_manager": manager_groups,
        "rpc_a_manager2": manager_groups,
        "rpc_a_officer": ["base.group_user", "customer_risk.group_risk_officer"],
        "rpc_a_billing": ["base.group_user", "account.group_account_invoice"],
        "rpc_a_sales": ["base.group_user", "sales_team.group_sale_salesman"],
        "rpc_a_auditor": ["base.group_user", "customer_risk_audit.group_risk_auditor"],
    }
    for login, groups in users.items():
        admin(
            "res.users",
            "create",
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "password": PASSWORD,
                "groups_id": [(6, 0, [ref(g) for g in groups])],
            },
        )
    rpcs = {"admin": admin, **{login: Rpc(url, db, login, PASSWORD) for login in users}}
    product_id = admin(
        "product.product",
        "create",
        {"name": "RPC Audit Widget", "list_price": 600.0, "taxes_id": [(6, 0, [])]},
    )

    def customer():
        return admin(
            "res.partner",
            "create",
            {"name": f"RPC Audit {uuid.uuid4().hex[:6]}", "is_company": True, "customer_rank": 1},
        )

    def request(rpc, partner_id, **vals):
        request_id = rpc(
            REQUEST,
            "create",
            {"partner_id": partner_id, "kind": "limit", "reason": "Seasonal orders", **vals},
        )
        rpc(REQUEST, "action_submit", [request_id])
        return request_id

    def decide(partner_id, **vals):
        """A request proposed by the officer, approved and applied by the managers."""
        request_id = request(rpcs["rpc_a_officer"], partner_id, **vals)
        rpcs["rpc_a_manager"](REQUEST, "action_approve", [request_id])
        rpcs["rpc_a_manager2"](REQUEST, "action_apply", [request_id])

    tier_id = ref("customer_risk.customer_risk_tier_low")
    admin("customer.risk.tier", "write", [tier_id], {"tolerance_percent": 0.0})

    def assessed_customer(limit):
        partner_id = customer()
        decide(partner_id, kind="tier", new_tier_id=tier_id)
        decide(partner_id, new_credit_limit=limit)
        return partner_id

    def limit(partner_id):
        return admin("res.partner", "read", [partner_id], ["credit_limit"])[0]["credit_limit"]

    def sql(query):
        return lib.psql(crisk_env.python, crisk_env.pg, query, dbname=db, fetch=True)

    return {
        **rpcs,
        "server": odoo_server,
        "company_id": company_id,
        "product_id": product_id,
        "customer": customer,
        "assessed_customer": assessed_customer,
        "request": request,
        "limit": limit,
        "sql": sql,
    }


def test_manager_cannot_approve_own_request_and_the_approved_one_applies(world):
    partner_id = world["customer"]()
    manager, manager2 = world["rpc_a_manager"], world["rpc_a_manager2"]
    request_id = world["request"](manager, partner_id, new_credit_limit=5000.0)
    for context in CONTEXTS:
        with pytest.raises(RpcError) as err:
            manager(REQUEST, "action_approve", [request_id], context=context)
        assert err.value.name == "odoo.exceptions.AccessError", (context, err.value)
    for login in ("rpc_a_officer", "rpc_a_auditor", "rpc_a_sales", "rpc_a_billing"):
        with pytest.raises(RpcError):
            world[login](REQUEST, "action_approve", [request_id])
    assert manager(REQUEST, "read", [request_id], ["state"])[0]["state"] == "submitted"

    manager2(REQUEST, "action_approve", [request_id])
    assert world["limit"](partner_id) == 0.0
    manager(REQUEST, "action_apply", [request_id])
    assert manager(REQUEST, "read", [request_id], ["state"])[0]["state"] == "applied"
    assert world["limit"](partner_id) == 5000.0
    entries = world["rpc_a_auditor"](
        LOG,
        "search_read",
        [("res_model", "=", "res.partner"), ("res_id", "=", partner_id)],
        ["event", "values_before", "values_after", "user_id"],
    )
    assert [e["event"] for e in entries] == ["limit_change"]
    assert '"credit_limit": 0.0' in entries[0]["values_before"]
    assert '"credit_limit": 5000.0' in entries[0]["values_after"]


def test_direct_credit_limit_write_is_refused_for_every_user(world):
    partner_id = world["customer"]()
    logins = ["admin", "rpc_a_manager", "rpc_a_manager2", "rpc_a_officer", "rpc_a_billing"]
    logins += ["rpc_a_sales", "rpc_a_auditor"]
    for login in logins:
        for context in CONTEXTS:
            with pytest.raises(RpcError) as err:
                world[login](
                    "res.partner",
                    "write",
                    [partner_id],
                    {"credit_limit": 999999.0, "risk_limit_reason": "mine"},
                    context=context,
                )
            assert err.value.name == "odoo.exceptions.AccessError", (login, context, err.value)
    # An import is refused as well, and so is a new customer with a limit.
    result = world["admin"](
        "res.partner", "load", ["name", "credit_limit"], [["RPC Imported", "777"]]
    )
    assert not result["ids"] and result["messages"]
    with pytest.raises(RpcError):
        world["admin"](
            "res.partner", "create", {"name": "RPC New", "is_company": True, "credit_limit": 5.0}
        )
    assert world["limit"](partner_id) == 0.0


def test_refused_confirmation_is_logged_once_despite_the_rollback(world):
    partner_id = world["assessed_customer"](100.0)
    sales = world["rpc_a_sales"]
    order_id = sales(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "company_id": world["company_id"],
            "order_line": [
                (0, 0, {"product_id": world["product_id"], "price_unit": 600.0, "tax_id": []})
            ],
        },
    )
    with pytest.raises(RpcError) as err:
        sales("sale.order", "action_confirm", [order_id], context={"tracking_disable": True})
    assert err.value.name == "odoo.addons.customer_risk.exceptions.CreditCheckBlocked"
    entries = world["rpc_a_auditor"](
        LOG,
        "search_read",
        [("res_model", "=", "sale.order"), ("res_id", "=", order_id)],
        ["event", "user_id", "reason"],
    )
    assert [e["event"] for e in entries] == ["order_blocked"]
    assert entries[0]["user_id"][0] == sales.uid
    assert "Credit limit exceeded" in entries[0]["reason"]


def test_sql_update_of_one_row_is_named_by_verify_integrity(world):
    auditor = world["rpc_a_auditor"]
    partner_id = world["customer"]()
    world["request"](world["rpc_a_manager"], partner_id, new_credit_limit=300.0)
    world["request"](world["rpc_a_manager"], partner_id, kind="hold", new_hold=True)
    entries = auditor(LOG, "search_read", [], ["sequence"], order="sequence")
    assert len(entries) >= 3
    verdict = auditor(LOG, "action_verify_integrity", [])
    assert verdict["params"]["type"] == "success", verdict
    # Nobody rewrites an entry through Odoo, the administrator included.
    for login in ("admin", "rpc_a_manager", "rpc_a_auditor"):
        with pytest.raises(RpcError):
            world[login](LOG, "write", [entries[1]["id"]], {"reason": "rewritten"})
        with pytest.raises(RpcError):
            world[login](LOG, "unlink", [entries[1]["id"]])
    tampered = entries[len(entries) // 2]
    select = f"SELECT values_after FROM customer_risk_audit_log WHERE id = {tampered['id']}"
    original = world["sql"](select)[0][0]
    world["sql"](
        "UPDATE customer_risk_audit_log SET values_after = '{\"credit_limit\": 1e9}' "
        f"WHERE id = {tampered['id']} RETURNING id"
    )
    verdict = auditor(LOG, "action_verify_integrity", [])["params"]
    assert verdict["type"] == "danger", verdict
    assert f"entry #{tampered['sequence']} " in verdict["message"]
    assert verdict["next"]["domain"] == [["id", "in", [tampered["id"]]]]
    flags = auditor(LOG, "read", [e["id"] for e in entries], ["chain_ok"])
    assert [f["id"] for f in flags if not f["chain_ok"]] == [tampered["id"]]
    # Put the row back: the chain holds again, so that row alone was at fault.
    restored = (original or "").replace("'", "''")
    world["sql"](
        f"UPDATE customer_risk_audit_log SET values_after = '{restored}' "
        f"WHERE id = {tampered['id']} RETURNING id"
    )
    assert auditor(LOG, "action_verify_integrity", [])["params"]["type"] == "success"


def test_concurrent_writers_never_fork_the_chain(world):
    """Pairs of decisions logged at the same moment from two connections: the chain of the
    company stays one line (Odoo retries the later writer on fresh data)."""
    managers = [world["rpc_a_manager"], world["rpc_a_manager2"]]
    pairs, errors = 6, []
    for _ in range(pairs):
        partners = [world["customer"](), world["customer"]()]
        requests = [
            managers[i](
                REQUEST,
                "create",
                {
                    "partner_id": partners[i],
                    "kind": "limit",
                    "new_credit_limit": 100.0,
                    "reason": "Race",
                },
            )
            for i in range(2)
        ]
        barrier = threading.Barrier(2)

        def submit(i, requests=requests, barrier=barrier):
            barrier.wait()
            try:
                managers[i](REQUEST, "action_submit", [requests[i]])
            except RpcError as exc:
                errors.append(str(exc))

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert not errors, errors
    rows = world["sql"](
        "SELECT company_id, array_agg(sequence ORDER BY sequence), COUNT(*) "
        "FROM customer_risk_audit_log GROUP BY company_id"
    )
    for _company, sequences, count in rows:
        assert sequences == list(range(1, count + 1)), sequences
    verdict = world["rpc_a_auditor"](LOG, "action_verify_integrity", [])["params"]
    retries = world["server"]["log"].read_text().count("SERIALIZATION_FAILURE")
    print(
        f"RESULT audit_chain_after_concurrent_pairs: {verdict['type']} "
        f"({pairs} pairs, {retries} writers retried by Odoo)"
    )
    assert verdict["type"] == "success", verdict
