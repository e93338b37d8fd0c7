"""Bad input over JSON-RPC, as a careless or hostile client sends it: limits that are not
amounts, huge orders, hostile text in names and notes, malformed import files. Each value is
refused with a clear error (never a server error) or stored harmlessly."""

import base64
import html.parser
import http.cookiejar
import io
import json
import math
import urllib.request
import zipfile

import pytest
import test_credit_rpc
from odoo_proc import size
from rpc import RpcError

world = test_credit_rpc.world
ORDER_LINES = size(1000, 5000)

BAD_NUMBERS = {
    "negative": -1.0,
    "NaN": float("nan"),
    "inf": float("inf"),
    "-inf": float("-inf"),
    "huge": 1e300,
    "text": "one million",
    "null": None,
}
HOSTILE_TEXT = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "<a href=\"javascript:alert('x')\">click</a>",
    "信用额度客户 有限公司",
    "Customer 😀🚀 GmbH",
    "شركة العميل \u202eevil",
    "Ctrl\x01\x07\x1b\x7f chars",
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
]


class _Executable(html.parser.HTMLParser):
    """Our payloads turned into real markup that would run in a mail client, a browser or
    the PDF engine: a <script> holding it, an on* handler or a javascript: link (escaped
    text is harmless; Odoo's own asset scripts hold no payload)."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, raw in attrs:
            value = (raw or "").strip().lower()
            if "alert" in value and (name.startswith("on") or value.startswith("javascript:")):
                self.found.append(f"{tag} {name}")

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append("script")

    def handle_endtag(self, tag):
        self._in_script = False


def _executable(text):
    parser = _Executable()
    parser.feed(text or "")
    return parser.found


def _invalid(value):
    """A stored amount no credit decision can work with."""
    return (
        not isinstance(value, int | float)
        or math.isnan(value)
        or math.isinf(value)
        or value < 0
        or value > 1e15
    )


class Tally:
    def __init__(self, world):
        self.log = world["server"]["log"]
        self.start = self.log.read_text(errors="replace").count("Traceback")
        self.server_errors = []

    def call(self, what, fn):
        """Run ``fn``; a refusal must be one of Odoo's clear errors (shown to the user)."""
        try:
            return True, fn()
        except RpcError as exc:
            if not exc.name.startswith("odoo.exceptions."):
                self.server_errors.append(f"{what}: {exc}")
            return False, exc
        except Exception as exc:  # HTTP 500 and the like
            self.server_errors.append(f"{what}: {exc!r}")
            return False, exc

    def tracebacks(self):
        return self.log.read_text(errors="replace").count("Traceback") - self.start


@pytest.fixture(scope="module")
def tally(world):
    return Tally(world)


def test_limits_that_are_not_amounts(world, tally):
    admin = world["admin"]
    accepted = []
    tier_id = admin("customer.risk.tier", "search", [("code", "!=", False)], limit=1)[0]
    manager_id = admin("res.users", "search", [("login", "=", "rpc_manager")])[0]
    for label, value in BAD_NUMBERS.items():
        partner_id = world["customer"](1000.0)
        ok, request_id = tally.call(
            f"limit request {label}",
            lambda p=partner_id, v=value: admin(
                "customer.risk.limit.request",
                "create",
                {"partner_id": p, "reason": "bad input", "new_credit_limit": v},
            ),
        )
        if ok:
            tally.call(
                f"submit {label}",
                lambda r=request_id: admin("customer.risk.limit.request", "action_submit", [r]),
            )
            state = admin("customer.risk.limit.request", "read", [request_id], ["state"])[0]
            stored = admin(
                "customer.risk.limit.request", "read", [request_id], ["new_credit_limit"]
            )[0]["new_credit_limit"]
            if state["state"] != "draft" and _invalid(stored) and value is not None:
                accepted.append(f"limit request {label} -> {stored} ({state['state']})")
        for model, ids, field in (
            ("customer.risk.tier", [tier_id], "limit_amount"),
            ("customer.risk.tier", [tier_id], "tolerance_percent"),
            ("res.users", [manager_id], "risk_release_max_amount"),
        ):
            before = admin(model, "read", ids, [field])[0][field]
            ok, _ = tally.call(
                f"{model}.{field} {label}",
                lambda m=model, i=ids, f=field, v=value: admin(m, "write", i, {f: v}),
            )
            after = admin(model, "read", ids, [field])[0][field]
            if ok and value is not None and _invalid(after):
                accepted.append(f"{model}.{field} {label} -> {after}")
            if after != before:
                admin(model, "write", ids, {field: before})
    print(f"RESULT invalid_limit_values_accepted: {len(accepted)} of {len(BAD_NUMBERS) * 4}")
    assert not accepted, accepted


def test_huge_orders(world, tally):
    admin = world["admin"]
    sales = world["login"]("rpc_sales")
    product_id = admin("product.product", "search", [("name", "=", "RPC Widget")])[0]
    partner_id = world["customer"](1e9)
    accepted = []
    lines = [
        (0, 0, {"product_id": product_id, "product_uom_qty": 1, "price_unit": 1.0, "tax_id": []})
        for _ in range(ORDER_LINES)
    ]
    ok, order_id = tally.call(
        "order with many lines",
        lambda: sales("sale.order", "create", {"partner_id": partner_id, "order_line": lines}),
    )
    assert ok, order_id
    ok, _ = tally.call(
        "confirm many lines", lambda: sales("sale.order", "action_confirm", [order_id])
    )
    total = admin("sale.order", "read", [order_id], ["amount_total", "state"])[0]
    assert ok and total["state"] == "sale" and total["amount_total"] == ORDER_LINES
    for price in (1.7e308, 1e308, -1.7e308, 1e300):
        ok, order_id = tally.call(
            f"order at {price}", lambda p=price: world["order"](sales, partner_id, p)
        )
        if not ok:
            continue
        ok, _ = tally.call(
            f"confirm {price}", lambda o=order_id: sales("sale.order", "action_confirm", [o])
        )
        order = admin("sale.order", "read", [order_id], ["amount_total", "state"])[0]
        if ok and order["state"] == "sale":
            accepted.append(f"order at {price} confirmed with total {order['amount_total']}")
    print(
        f"RESULT huge_orders_invalid_accepted: {len(accepted)} "
        f"(one order of {ORDER_LINES} lines confirmed; 4 near the float limit)"
    )
    assert not accepted, accepted


def _markup_hits(world, since_message_id):
    admin = world["admin"]
    hits = []
    for message in admin(
        "mail.message", "search_read", [("id", ">", since_message_id)], ["body", "subject"]
    ):
        if _executable(message["body"]) or _executable(message["subject"]):
            hits.append(f"message {message['id']}: {message['body'][:200]}")
    for mail in admin(
        "mail.mail",
        "search_read",
        [("mail_message_id", ">", since_message_id)],
        ["body_html"],
    ):
        if _executable(mail["body_html"]):
            hits.append(f"mail {mail['id']}")
    return hits


def _http_get(world, path):
    """GET ``path`` as the administrator, with a web session like a browser's."""
    server = world["server"]
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    payload = {
        "jsonrpc": "2.0",
        "params": {"db": server["db"], "login": "admin", "password": "admin"},
    }
    request = urllib.request.Request(
        f"{server['url']}/web/session/authenticate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=120) as response:
        assert not json.loads(response.read()).get("error")
    with opener.open(f"{server['url']}{path}", timeout=300) as response:
        return response.read().decode()


def test_hostile_names_and_notes(world, tally):
    admin = world["admin"]
    sales = world["login"]("rpc_sales")
    manager = world["login"]("rpc_manager")
    last = admin("mail.message", "search", [], limit=1, order="id desc")[0]
    partner_ids = []
    for text in HOSTILE_TEXT:
        partner_id = world["customer"](100.0)
        tally.call(
            "rename",
            lambda p=partner_id, t=text: admin(
                "res.partner", "write", [p], {"name": t, "email": "hostile@example.com"}
            ),
        )
        partner_ids.append(partner_id)
        order_id = world["order"](sales, partner_id, 500.0)
        ok, action = tally.call(
            "release", lambda o=order_id: sales("sale.order", "action_request_risk_release", [o])
        )
        if ok:
            release_id = action["res_id"]
            tally.call(
                "note",
                lambda r=release_id, t=text: sales(
                    "customer.risk.release", "write", [r], {"request_note": t}
                ),
            )
            tally.call(
                "decision note",
                lambda r=release_id, t=text: manager(
                    "customer.risk.release", "write", [r], {"decision_note": t}
                ),
            )
            tally.call(
                "approve",
                lambda r=release_id: manager("customer.risk.release", "action_approve", [r]),
            )
        tally.call(
            "limit request",
            lambda p=partner_id, t=text: admin(
                "customer.risk.limit.request",
                "create",
                {"partner_id": p, "reason": t, "new_credit_limit": 200.0},
            ),
        )
        tally.call(
            "message",
            lambda p=partner_id, t=text: admin(
                "res.partner", "message_post", [p], body=t, message_type="comment"
            ),
        )
    hits = _markup_hits(world, last)
    # The contract report (QWeb HTML, what wkhtmltopdf prints) of these customers.
    contracts = [
        admin("customer.risk.contract", "create", {"partner_id": pid}) for pid in partner_ids
    ]
    ids = ",".join(map(str, contracts))
    page = _http_get(world, f"/report/html/customer_risk.report_customer_risk_contract/{ids}")
    assert "alert" in page, "the hostile names are not in the report: the check proves nothing"
    hits += [f"report: {found}" for found in _executable(page)]
    # The collectors' XLSX of these customers: no cell may be a formula.
    export = admin(
        "customer.risk.followup.export", "create", {"partner_ids": [(6, 0, partner_ids)]}
    )
    tally.call(
        "xlsx", lambda: admin("customer.risk.followup.export", "action_export_xlsx", [export])
    )
    attachment = admin(
        "ir.attachment",
        "search_read",
        [("res_model", "=", "customer.risk.followup.export"), ("res_id", "=", export)],
        ["datas"],
    )
    assert attachment, "no XLSX made"
    book = zipfile.ZipFile(io.BytesIO(base64.b64decode(attachment[0]["datas"])))
    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
    formulas = sum(
        book.read(n).decode().count("<f>") + book.read(n).decode().count("<f ") for n in sheets
    )
    names_in_book = sum(("cmd|" in book.read(n).decode(errors="replace")) for n in book.namelist())
    print(
        f"RESULT executable_markup_in_chatter_emails_reports: {len(hits)} "
        f"({len(HOSTILE_TEXT)} hostile texts)"
    )
    print(f"RESULT xlsx_formula_cells: {formulas} ({len(partner_ids)} hostile names exported)")
    assert not hits, hits
    assert formulas == 0
    assert names_in_book, "the hostile names are not in the export: the check proves nothing"


MALFORMED = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "not xlsx": b"PK\x03\x04garbage",
    "header only": b"name,identifier\n",
    "wrong header": b"foo,bar\n1,2\n",
    "one bad row": b"name,country,date\nGood Name,CN,2024-01-01\nBad,XX,nodate\n",
    "one bad report row": b"vat,name,date,score\nCN1,Good,2024-01-01,50\nCN2,Bad,nodate,abc\n",
    "latin-1": "name\nM\xfcller \xff\xfe\n".encode("latin-1"),
    "huge field": b"name\n" + b"A" * 200000 + b"\n",
    "formula": b"name\n=cmd|' /C calc'!A0\n",
}


def test_malformed_import_files(world, tally):
    admin = world["admin"]
    partial = []
    watchlist = admin("customer.risk.watchlist", "create", {"name": "Malformed"})
    for label, content in MALFORMED.items():
        before = admin(
            "customer.risk.watchlist.entry", "search_count", [("watchlist_id", "=", watchlist)]
        )
        ok, wizard = tally.call(
            f"watchlist {label}",
            lambda c=content: admin(
                "customer.risk.watchlist.import",
                "create",
                {
                    "watchlist_id": watchlist,
                    "file": base64.b64encode(c).decode(),
                    "filename": "list.csv",
                },
            ),
        )
        if ok:
            ok, _ = tally.call(
                f"import {label}",
                lambda w=wizard: admin("customer.risk.watchlist.import", "action_import", [w]),
            )
        after = admin(
            "customer.risk.watchlist.entry", "search_count", [("watchlist_id", "=", watchlist)]
        )
        if not ok and after != before:
            partial.append(f"watchlist {label}: {after - before} rows kept after a refusal")
    agency = admin("customer.risk.agency", "search", [], limit=1)
    if not agency:
        agency = [admin("customer.risk.agency", "create", {"name": "Agency"})]
    for label, content in MALFORMED.items():
        before = admin("customer.risk.credit.report", "search_count", [])
        ok, wizard = tally.call(
            f"report {label}",
            lambda c=content: admin(
                "customer.risk.credit.report.import",
                "create",
                {
                    "agency_id": agency[0],
                    "file": base64.b64encode(c).decode(),
                    "filename": "report.csv",
                },
            ),
        )
        if ok:
            ok, _ = tally.call(
                f"preview {label}",
                lambda w=wizard: admin("customer.risk.credit.report.import", "action_preview", [w]),
            )
            if ok:
                ok, _ = tally.call(
                    f"import {label}",
                    lambda w=wizard: admin(
                        "customer.risk.credit.report.import", "action_import", [w]
                    ),
                )
        after = admin("customer.risk.credit.report", "search_count", [])
        if not ok and after != before:
            partial.append(f"credit report {label}: {after - before} kept after a refusal")
    print(f"RESULT partial_imports: {len(partial)} ({2 * len(MALFORMED)} malformed files)")
    assert not partial, partial


def test_no_server_error(world, tally):
    """Runs last in this module: every refusal above was a clear error, no traceback."""
    tracebacks = tally.tracebacks()
    for error in tally.server_errors:
        print("server error:", error)
    print(
        f"RESULT bad_input_server_errors: {len(tally.server_errors) + tracebacks} "
        f"({tracebacks} tracebacks in the server log)"
    )
    assert not tally.server_errors, tally.server_errors
    assert tracebacks == 0
