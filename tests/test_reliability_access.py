"""Access over JSON-RPC against a running server, as each role would try it from any client:
every forbidden write, every private method, every context key that could switch a check or
a log off, and a user of another company reading ours."""

import ast
import contextlib
import pathlib
import uuid

import pytest
import test_credit_rpc
from rpc import Rpc, RpcError

world = test_credit_rpc.world
PASSWORD = test_credit_rpc.PASSWORD
ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDONS = ("customer_risk", "customer_risk_collections", "customer_risk_audit")

# Keys a client could send hoping to silence the chatter or skip a check.
ATTACK_CONTEXT = {
    "tracking_disable": True,
    "mail_notrack": True,
    "mail_create_nolog": True,
    "mail_activity_automation_skip": True,
    "active_test": False,
    "bypass_risk_check": True,
    "bypass_four_eyes": True,
    "bypass_control_check": True,
    "skip_risk_check": True,
    "install_mode": True,
    "module_uninstall": True,
}

ROLES = {
    "acc_sales": ["base.group_user", "sales_team.group_sale_salesman"],
    "acc_readonly": ["base.group_user", "account.group_account_readonly"],
    "acc_officer": [
        "base.group_user",
        "sales_team.group_sale_salesman",
        "customer_risk.group_risk_officer",
    ],
    "acc_auditor": ["base.group_user", "customer_risk_audit.group_risk_auditor"],
    "acc_collector": [
        "base.group_user",
        "account.group_account_invoice",
        "customer_risk_collections.group_risk_collector",
    ],
}


def _bypass_keys_in_code():
    """Every ``bypass_*``/``skip_*`` context key the addons read: each is sent below."""
    keys = set()
    for addon in ADDONS:
        for path in (ROOT / addon).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and node.value.startswith(("bypass_", "skip_", "no_risk", "risk_no_"))
                ):
                    keys.add(node.value)
    return keys


def _private_methods():
    """{model: [private method defined by our addons]} read from the source."""
    found = {}
    for addon in ADDONS:
        for path in sorted((ROOT / addon).glob("*/*.py")):
            if "/tests/" in str(path):
                continue
            tree = ast.parse(path.read_text())
            for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
                model = None
                for stmt in cls.body:
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                        target = stmt.targets[0]
                        if getattr(target, "id", "") == "_name" or (
                            getattr(target, "id", "") == "_inherit" and model is None
                        ):
                            model = stmt.value.value
                if not model:
                    continue
                names = [
                    f.name
                    for f in cls.body
                    if isinstance(f, ast.FunctionDef)
                    and f.name.startswith("_")
                    and not f.name.startswith("__")
                ]
                found.setdefault(model, []).extend(names)
    return found


@pytest.fixture(scope="module")
def setup(world):
    admin = world["admin"]

    def ref(xmlid):
        return admin("ir.model.data", "check_object_reference", *xmlid.split("."))[1]

    for login, groups in ROLES.items():
        if not admin("res.users", "search", [("login", "=", login)]):
            admin(
                "res.users",
                "create",
                {
                    "name": login,
                    "login": login,
                    "password": PASSWORD,
                    "groups_id": [(6, 0, [ref(g) for g in groups])],
                },
            )
    main_company = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    other_company = admin("res.company", "create", {"name": f"Other Co {uuid.uuid4().hex[:4]}"})
    admin(
        "res.users",
        "create",
        {
            "name": "Other Company Manager",
            "login": "acc_other",
            "password": PASSWORD,
            "company_id": other_company,
            "company_ids": [(6, 0, [other_company])],
            "groups_id": [
                (
                    6,
                    0,
                    [
                        ref(g)
                        for g in (
                            "base.group_user",
                            "sales_team.group_sale_salesman_all_leads",
                            "account.group_account_invoice",
                            "customer_risk.group_risk_manager",
                            "customer_risk_audit.group_risk_auditor",
                            "customer_risk_collections.group_risk_collector",
                        )
                    ],
                )
            ],
        },
    )
    # Records of the main company to attack and to read.
    partner_id = world["customer"](5000.0)
    sales = world["login"]("rpc_sales")
    order_id = world["order"](sales, partner_id, 6000.0)
    release_id = sales("sale.order", "action_request_risk_release", [order_id])["res_id"]
    audit_ids = admin("customer.risk.audit.log", "search", [], limit=5)
    request_id = admin(
        "customer.risk.limit.request",
        "create",
        {"partner_id": partner_id, "reason": "attack target", "new_credit_limit": 99999.0},
    )
    admin("customer.risk.limit.request", "action_submit", [request_id])
    approved_id = admin(
        "customer.risk.limit.request",
        "create",
        {
            "partner_id": world["customer"](5000.0),
            "reason": "approved target",
            "new_credit_limit": 77777.0,
        },
    )
    admin("customer.risk.limit.request", "action_submit", [approved_id])
    world["login"]("rpc_manager")("customer.risk.limit.request", "action_approve", [approved_id])
    return {
        "ref": ref,
        "main_company": main_company,
        "other_company": other_company,
        "partner_id": partner_id,
        "order_id": order_id,
        "release_id": release_id,
        "audit_ids": audit_ids,
        "request_id": request_id,
        "approved_id": approved_id,
        "tier_id": ref("customer_risk.customer_risk_tier_low"),
        **{
            key: admin(model, "search", [], limit=1)[0]
            for key, model in (
                ("scorecard_id", "customer.risk.scorecard"),
                ("factor_id", "customer.risk.scorecard.factor"),
                ("band_id", "customer.risk.scorecard.band"),
                ("level_id", "customer.risk.followup.level"),
            )
        },
        "high_tier_id": ref("customer_risk.customer_risk_tier_high"),
    }


def _snapshot(world, s):
    """What the attacks must leave unchanged, read by the administrator."""
    admin = world["admin"]
    partner = admin(
        "res.partner",
        "read",
        [s["partner_id"]],
        ["credit_limit", "risk_hold", "risk_tier_id", "risk_limit_manual", "followup_level_id"],
    )[0]
    release = admin(
        "customer.risk.release",
        "read",
        [s["release_id"]],
        ["state", "approved_by_id", "amount"],
    )[0]
    tier = admin(
        "customer.risk.tier", "read", [s["tier_id"]], ["limit_amount", "tolerance_percent"]
    )
    requests = admin(
        "customer.risk.limit.request", "read", [s["request_id"], s["approved_id"]], ["state"]
    )
    logs = admin("customer.risk.audit.log", "search_read", [], ["hash", "reason"])
    company = admin("res.company", "read", [s["main_company"]], ["risk_release_validity_days"])
    return partner, release, tier, requests, logs, company


def _attacks(s):
    """(description, model, method, args, kwargs) of writes no role below may make."""
    pid, rid = s["partner_id"], s["release_id"]
    attacks = [
        ("limit", "res.partner", "write", [[pid], {"credit_limit": 1e9, "risk_limit_reason": "x"}]),
        ("native limit flag", "res.partner", "write", [[pid], {"use_partner_credit_limit": False}]),
        ("manual limit", "res.partner", "write", [[pid], {"risk_limit_manual": False}]),
        ("hold", "res.partner", "write", [[pid], {"risk_hold": True, "risk_hold_reason": "x"}]),
        ("tier", "res.partner", "write", [[pid], {"risk_tier_id": s["high_tier_id"]}]),
        ("run state", "res.partner", "write", [[pid], {"followup_next_date": "2000-01-01"}]),
        (
            "new customer with a limit",
            "res.partner",
            "create",
            [{"name": "Attacker Co", "credit_limit": 1e9, "risk_limit_reason": "x"}],
        ),
        ("tier limit", "customer.risk.tier", "write", [[s["tier_id"]], {"limit_amount": 1e9}]),
        (
            "tier tolerance",
            "customer.risk.tier",
            "write",
            [[s["tier_id"]], {"tolerance_percent": 1000.0}],
        ),
        ("tier create", "customer.risk.tier", "create", [{"name": "Mine", "code": "MINE"}]),
        ("tier delete", "customer.risk.tier", "unlink", [[s["high_tier_id"]]]),
        ("release state", "customer.risk.release", "write", [[rid], {"state": "approved"}]),
        ("release approver", "customer.risk.release", "write", [[rid], {"approved_by_id": 2}]),
        ("release amount", "customer.risk.release", "write", [[rid], {"amount": 1e9}]),
        ("release approve", "customer.risk.release", "action_approve", [[rid]]),
        ("release delete", "customer.risk.release", "unlink", [[rid]]),
        ("scorecard", "customer.risk.scorecard", "write", [[s["scorecard_id"]], {"name": "Mine"}]),
        (
            "scorecard factor",
            "customer.risk.scorecard.factor",
            "write",
            [[s["factor_id"]], {"weight": 0}],
        ),
        (
            "scorecard band",
            "customer.risk.scorecard.band",
            "write",
            [[s["band_id"]], {"points": 100}],
        ),
        (
            "settings",
            "res.company",
            "write",
            [[s["main_company"]], {"risk_release_validity_days": 9999}],
        ),
        (
            "settings wizard",
            "res.config.settings",
            "create",
            [{"risk_release_validity_days": 9999}],
        ),
        ("own authority", "res.users", "write", [["SELF"], {"risk_release_max_amount": 1e9}]),
        (
            "audit row edit",
            "customer.risk.audit.log",
            "write",
            [s["audit_ids"][:1], {"reason": "x"}],
        ),
        ("audit row delete", "customer.risk.audit.log", "unlink", [s["audit_ids"][:1]]),
        (
            "audit row forge",
            "customer.risk.audit.log",
            "create",
            [{"event": "limit", "reason": "forged", "res_model": "res.partner", "res_id": pid}],
        ),
        (
            "limit request approve",
            "customer.risk.limit.request",
            "action_approve",
            [[s["request_id"]]],
        ),
        (
            "limit request apply",
            "customer.risk.limit.request",
            "action_apply",
            [[s["approved_id"]]],
        ),
        (
            "limit request state",
            "customer.risk.limit.request",
            "write",
            [[s["request_id"]], {"state": "approved"}],
        ),
        (
            "follow-up level",
            "customer.risk.followup.level",
            "write",
            [[s["level_id"]], {"delay": 999}],
        ),
    ]
    return attacks


# A credit manager of another company manages shared tiers and scorecards and the
# customers' figures in their own company: they attack only our company's records.
MAIN_COMPANY_ATTACKS = {
    "release state",
    "release approver",
    "release amount",
    "release approve",
    "release delete",
    "settings",
    "audit row edit",
    "audit row delete",
    "limit request approve",
    "limit request apply",
    "limit request state",
}


def test_forbidden_actions_over_rpc(world, setup):
    s = setup
    before = _snapshot(world, s)
    assert before[4], "no audit log row to attack"
    bypass = _bypass_keys_in_code()
    context = {**ATTACK_CONTEXT, **dict.fromkeys(bypass, True)}
    # The fields attacked exist (a typo would make a write fail for the wrong reason).
    admin = world["admin"]
    for _what, model, method, args in _attacks(s):
        if method in ("write", "create"):
            vals = args[-1]
            known = admin(model, "fields_get", list(vals), ["type"])
            assert set(vals) <= set(known), (model, set(vals) - set(known))
    succeeded, tried, odd = [], 0, []
    logins = [*ROLES, "rpc_default", "rpc_readonly", "acc_other"]
    for login in logins:
        rpc = Rpc(world["server"]["url"], world["server"]["db"], login, PASSWORD)
        for what, model, method, raw_args in _attacks(s):
            if login == "acc_other" and what not in MAIN_COMPANY_ATTACKS:
                continue
            args = [
                [rpc.uid if a == "SELF" else a for a in x] if isinstance(x, list) else x
                for x in raw_args
            ]
            contexts = [{}, context]
            if login == "acc_other":
                contexts.append({**context, "allowed_company_ids": [s["main_company"]]})
            for ctx in contexts:
                tried += 1
                try:
                    result = rpc(model, method, *args, context=ctx)
                    if method == "create" and model == "res.config.settings":
                        rpc(model, "execute", [result], context=ctx)
                    succeeded.append(f"{login}: {what}{' (context keys)' if ctx else ''}")
                except RpcError as exc:
                    if not exc.name.startswith("odoo.exceptions."):
                        odd.append(f"{login}: {what}: {exc}")
    after = _snapshot(world, s)
    changed = [
        name
        for name, a, b in zip(
            ("partner", "release", "tier", "requests", "audit log", "settings"),
            before,
            after,
            strict=True,
        )
        if a != b
    ]
    print(
        f"RESULT forbidden_rpc_actions_succeeded: {len(succeeded)} of {tried} tried "
        f"({len(logins)} users, context keys incl. {sorted(bypass) or 'no bypass_ key'})"
    )
    print(f"RESULT forbidden_rpc_server_errors: {len(odd)}")
    assert not succeeded, succeeded
    assert not changed, changed
    assert not odd, odd


def test_private_methods_refused_over_rpc(world, setup):
    rpc = world["login"]("rpc_sales")
    targets = {
        "res.partner": [setup["partner_id"]],
        "sale.order": [setup["order_id"]],
        "customer.risk.release": [setup["release_id"]],
        "customer.risk.limit.request": [setup["request_id"]],
        "customer.risk.audit.log": setup["audit_ids"][:1],
    }
    succeeded, tried = [], 0
    for model, names in _private_methods().items():
        for name in sorted(set(names)):
            tried += 1
            try:
                rpc(model, name, targets.get(model, [1]))
                succeeded.append(f"{model}.{name}")
            except RpcError:
                pass
    print(f"RESULT private_methods_callable_over_rpc: {len(succeeded)} of {tried}")
    assert tried > 50
    assert not succeeded, succeeded


def test_quiet_context_keys_never_silence_a_decision(world, setup):
    """A credit manager may decide; the keys that silence the chatter change nothing."""
    admin = world["admin"]
    sales = world["login"]("rpc_sales")
    manager = world["login"]("rpc_manager")
    partner_id = world["customer"](1000.0)
    order_id = world["order"](sales, partner_id, 1500.0)
    release_id = sales("sale.order", "action_request_risk_release", [order_id])["res_id"]
    before = admin(
        "mail.message",
        "search_count",
        [("model", "=", "customer.risk.release"), ("res_id", "=", release_id)],
    )
    logs_before = admin("customer.risk.audit.log", "search_count", [])
    manager("customer.risk.release", "action_approve", [release_id], context=ATTACK_CONTEXT)
    after = admin(
        "mail.message",
        "search_count",
        [("model", "=", "customer.risk.release"), ("res_id", "=", release_id)],
    )
    request_id = admin(
        "customer.risk.limit.request",
        "create",
        {"partner_id": partner_id, "reason": "quiet", "new_credit_limit": 1100.0},
        context=ATTACK_CONTEXT,
    )
    admin("customer.risk.limit.request", "action_submit", [request_id], context=ATTACK_CONTEXT)
    manager("customer.risk.limit.request", "action_approve", [request_id], context=ATTACK_CONTEXT)
    admin("customer.risk.limit.request", "action_apply", [request_id], context=ATTACK_CONTEXT)
    logs_after = admin("customer.risk.audit.log", "search_count", [])
    silenced = (after <= before) + (logs_after <= logs_before)
    print(f"RESULT decisions_silenced_by_context_keys: {silenced}")
    assert silenced == 0


MAIN_COMPANY_MODELS = (
    "sale.order",
    "account.move",
    "customer.risk.release",
    "customer.risk.limit.request",
    "customer.risk.audit.log",
    "customer.risk.alert",
    "customer.risk.followup.execution",
    "customer.risk.followup.level",
    "customer.risk.tier",
    "customer.risk.scorecard",
    "customer.risk.assessment",
    "customer.risk.screening",
    "customer.risk.contract",
    "customer.risk.promise",
)


def test_other_company_reads_nothing_of_ours(world, setup):
    rpc = world["login"]("acc_other")
    admin = world["admin"]
    main = setup["main_company"]
    read, refused_switch = 0, 0
    for model in MAIN_COMPANY_MODELS:
        ours = admin(model, "search", [("company_id", "=", main)], context={"active_test": False})
        for ctx in ({}, {"active_test": False}, {"allowed_company_ids": [main]}):
            try:
                rows = rpc(
                    model,
                    "search_read",
                    [("company_id", "=", main)],
                    ["id"],
                    context=ctx,
                )
                read += len(rows)
                if ours:
                    with contextlib.suppress(RpcError):
                        read += len(rpc(model, "read", ours[:3], ["display_name"], context=ctx))
            except RpcError as exc:
                assert exc.name.startswith("odoo.exceptions."), exc
                refused_switch += bool(ctx.get("allowed_company_ids"))
    # The limit is per company: ours is not theirs, and they cannot switch to ours.
    partner = rpc("res.partner", "read", [setup["partner_id"]], ["credit_limit"])[0]
    leaked_limit = partner["credit_limit"] != 0.0
    try:
        rpc(
            "res.partner",
            "read",
            [setup["partner_id"]],
            ["credit_limit"],
            context={"allowed_company_ids": [main]},
        )
        leaked_limit += 1
    except RpcError:
        pass
    print(
        f"RESULT other_company_records_read: {read + leaked_limit} "
        f"({len(MAIN_COMPANY_MODELS)} models, 3 contexts)"
    )
    assert read == 0 and not leaked_limit
    assert refused_switch == len(MAIN_COMPANY_MODELS)
