"""The daily follow-up run (``res.partner._cron_followup``, cron "Credit Control: run
follow-ups") over many customers, in real Odoo processes: killed with SIGKILL at random
points and rerun until done, two runs at once, and a payment registered between two chunks.
Reminders go to an SMTP sink on 127.0.0.1 through an ``ir.mail_server``, so the figures
count the emails that really left Odoo."""

import collections
import random
import time
import uuid

import odoo_proc
import pytest
from conftest import lib
from odoo_proc import Shell, size, sql
from smtp_sink import SmtpSink

CUSTOMERS = size(120, 2000)
KILLS = size(3, 20)
CHUNK = 25

# Customers with one invoice 10 days past due (the "Payment reminder" level of the default
# ladder is due), every third one with a second, older invoice.
POPULATE = """
from datetime import timedelta
from odoo import Command, fields
from odoo.tools import split_every
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True,
                       mail_notrack=True))
company = env.ref("base.main_company")
company.email = "billing@example.com"
env["ir.mail_server"].create({"name": "Sink", "smtp_host": "127.0.0.1", "smtp_port": 25,
                              "smtp_encryption": "none", "sequence": 1})
today = fields.Date.context_today(env["res.partner"])
partners = env["res.partner"].create([
    {"name": "Crash Customer %%05d" %% i, "email": "c%%05d@example.com" %% i,
     "is_company": True, "customer_rank": 1}
    for i in range(%(n)d)
])
vals = []
for i, partner in enumerate(partners):
    vals.append((partner, today - timedelta(days=10), 100.0 + i))
    if i %% 3 == 0:
        vals.append((partner, today - timedelta(days=20), 50.0 + i))
for batch in split_every(250, vals):
    moves = env["account.move"].create([
        {"move_type": "out_invoice", "partner_id": p.id, "invoice_date": d,
         "invoice_line_ids": [Command.create({"name": "Service", "quantity": 1,
                                              "price_unit": amount, "tax_ids": []})]}
        for p, d, amount in batch
    ])
    moves.action_post()
    env.cr.commit()
print("SCRIPT-DONE")
"""

RUN = """
print("RUN-START", flush=True)
env["res.partner"]._cron_followup(chunk_size=%(chunk)d)
print("FOLLOWUP-DONE", flush=True)
%(queue)s
env.cr.commit()
print("SCRIPT-DONE")
"""
QUEUE = 'env["mail.mail"].process_email_queue()'


@pytest.fixture(scope="module")
def populated(crisk_env, addons_template):
    """A template database with the customers and their posted invoices, made once."""
    name = f"{lib.DB_PREFIX}_crashtpl_{uuid.uuid4().hex[:8]}"
    lib.clone_db(crisk_env.python, crisk_env.pg, addons_template, name)
    try:
        started = time.time()
        odoo_proc.run(crisk_env, name, POPULATE % {"n": CUSTOMERS}, "reliability-populate")
        print(f"populated {CUSTOMERS} customers in {time.time() - started:.0f}s")
        yield name
    finally:
        lib.drop_db(crisk_env.python, crisk_env.pg, name)


@pytest.fixture
def run_db(crisk_env, populated):
    """Factory: a fresh copy of the populated database, mailing to ``sink``."""
    made = []

    def make(sink):
        name = f"{lib.DB_PREFIX}_crash_{uuid.uuid4().hex[:8]}"
        lib.clone_db(crisk_env.python, crisk_env.pg, populated, name)
        made.append(name)
        sql(crisk_env, name, f"UPDATE ir_mail_server SET smtp_port = {sink.port} RETURNING id")
        return name

    yield make
    for name in made:
        lib.drop_db(crisk_env.python, crisk_env.pg, name)


def _customers(crisk_env, db):
    rows = sql(
        crisk_env,
        db,
        "SELECT id, email FROM res_partner WHERE name LIKE 'Crash Customer %' ORDER BY id",
    )
    return {email: pid for pid, email in rows}


def _tally(crisk_env, db, sink):
    """(sent twice, missed, log rows twice, customers without a log row, resent) after a run.

    A reminder queued twice reaches its customer under two Message-Ids ("sent twice"): what
    the run itself guarantees never happens. The one queued email delivered again under its
    own Message-Id is the mail queue's at-least-once delivery after a kill between the SMTP
    server's acceptance and Odoo's commit ("resent", see RELIABILITY.md)."""
    customers = _customers(crisk_env, db)
    received = collections.defaultdict(collections.Counter)  # email: {Message-Id: count}
    for _from, rcpts, message in sink.messages:
        for rcpt in rcpts:
            received[rcpt][message["Message-Id"]] += 1
    sent_twice = sum(len(ids) - 1 for ids in received.values() if len(ids) > 1)
    resent = sum(count - 1 for ids in received.values() for count in ids.values())
    missed = sum(1 for email in customers if not received[email])
    rows = dict(
        sql(
            crisk_env,
            db,
            "SELECT partner_id, count(*) FROM customer_risk_followup_execution GROUP BY 1",
        )
    )
    logged_twice = sum(count - 1 for count in rows.values() if count > 1)
    not_logged = sum(1 for pid in customers.values() if not rows.get(pid))
    return sent_twice, missed, logged_twice, not_logged, resent


def _assert_clean(crisk_env, db, logs):
    """Killed runs may leave nothing odd behind but what a kill leaves: no failed customer,
    no email in error."""
    stuck = sql(
        crisk_env, db, "SELECT count(*) FROM mail_mail WHERE state IN ('outgoing', 'exception')"
    )[0][0]
    assert stuck == 0, f"{stuck} emails not sent"
    for log in logs:
        problems = lib.log_problems(log)
        assert not problems, f"{log}:\n" + "\n".join(problems[:5])


def test_followup_run_killed_and_rerun(crisk_env, run_db):
    seed = random.randrange(1 << 30)
    rnd = random.Random(seed)
    with SmtpSink() as sink:
        db = run_db(sink)
        kills, logs = [], []
        for attempt in range(KILLS):
            shell = Shell(
                crisk_env,
                db,
                RUN % {"chunk": CHUNK, "queue": QUEUE},
                f"reliability-crash-{attempt}",
            )
            assert shell.wait_for("RUN-START"), shell.output()[-3000:]
            delay = rnd.uniform(0.5, 8.0)
            time.sleep(delay)
            finished = "SCRIPT-DONE" in shell.output()
            shell.kill()
            logged = sql(crisk_env, db, "SELECT count(*) FROM customer_risk_followup_execution")
            kills.append(
                f"{delay:.1f}s: {logged[0][0]} logged, {len(sink.messages)} sent"
                + (" (had finished)" if finished else "")
            )
        reruns = 0
        while True:
            reruns += 1
            output = odoo_proc.run(
                crisk_env,
                db,
                RUN % {"chunk": CHUNK, "queue": QUEUE},
                f"reliability-crash-final-{reruns}",
            )
            logs.append(lib.LOG_DIR / f"reliability-crash-final-{reruns}.log")
            pending = sql(crisk_env, db, "SELECT count(*) FROM mail_mail WHERE state = 'outgoing'")[
                0
            ][0]
            if not pending or reruns >= 3:
                break
        assert "SCRIPT-DONE" in output
        sent_twice, missed, logged_twice, not_logged, resent = _tally(crisk_env, db, sink)
        _assert_clean(crisk_env, db, logs)
    print(f"kills after RUN-START (seed {seed}): {'; '.join(kills)}")
    print(f"RESULT followup_killed_runs: {KILLS} (then {reruns} run(s) to the end)")
    print(
        f"RESULT followup_killed_reminders_sent_twice: {sent_twice} "
        f"({CUSTOMERS} customers, {KILLS} kills)"
    )
    print(f"RESULT followup_killed_queue_resends: {resent} (mail queue at-least-once)")
    print(f"RESULT followup_killed_customers_missed: {missed} ({CUSTOMERS} customers)")
    print(f"RESULT followup_killed_log_rows_twice_or_missing: {logged_twice + not_logged}")
    assert (sent_twice, missed, logged_twice, not_logged) == (0, 0, 0, 0)


def test_two_followup_runs_in_parallel(crisk_env, run_db):
    with SmtpSink() as sink:
        db = run_db(sink)
        code = RUN % {"chunk": CHUNK, "queue": ""}
        shells = [Shell(crisk_env, db, code, f"reliability-parallel-{i}") for i in range(2)]
        for shell in shells:
            assert shell.wait() == 0 and "SCRIPT-DONE" in shell.output(), shell.output()[-3000:]
        # The mail queue is its own cron, which Odoo never runs twice at once.
        odoo_proc.run(crisk_env, db, RUN % {"chunk": CHUNK, "queue": QUEUE}, "reliability-queue")
        sent_twice, missed, logged_twice, not_logged, resent = _tally(crisk_env, db, sink)
        _assert_clean(
            crisk_env,
            db,
            [shell.log for shell in shells] + [lib.LOG_DIR / "reliability-queue.log"],
        )
    print(
        f"RESULT followup_parallel_reminders_sent_twice: {sent_twice + resent} "
        f"({CUSTOMERS} customers)"
    )
    print(f"RESULT followup_parallel_customers_missed: {missed + not_logged + logged_twice}")
    assert (sent_twice, resent, missed, logged_twice, not_logged) == (0, 0, 0, 0, 0)


# The run's own steps, with a second transaction (another user) registering payments after
# the candidates were listed and the first chunk committed.
BETWEEN_CHUNKS = """
import json
from odoo import api, fields, SUPERUSER_ID
P = env["res.partner"]
company = env.ref("base.main_company")
today = fields.Date.context_today(P)
todo = P._followup_candidates(company)[:%(size)d]
env.cr.commit()
first, rest = todo[:%(chunk)d], todo[%(chunk)d:]
P._followup_run_chunks(first, company, today, %(chunk)d)
paid = []
with env.registry.cursor() as cr2:
    env2 = api.Environment(cr2, SUPERUSER_ID, {})
    Move = env2["account.move"]
    later = [pid for pid in rest[::7]]
    for i, pid in enumerate(later):
        invoices = Move.search([("partner_id", "=", pid), ("move_type", "=", "out_invoice"),
                                ("state", "=", "posted")], order="invoice_date desc")
        # every other customer pays everything, the others their latest invoice only
        settle = invoices if i %% 2 == 0 else invoices[:1]
        env2["account.payment.register"].with_context(
            active_model="account.move", active_ids=settle.ids).create({}).action_create_payments()
        paid += [(pid, move.name, i %% 2 == 0 or len(invoices) == 1) for move in settle]
    cr2.commit()
print("PAID " + json.dumps(paid))
P._followup_run_chunks(rest, company, today, %(chunk)d)
env.cr.commit()
env["mail.mail"].process_email_queue()
env.cr.commit()
print("SCRIPT-DONE")
"""


def test_payment_between_two_chunks(crisk_env, run_db):
    import json

    with SmtpSink() as sink:
        db = run_db(sink)
        output = odoo_proc.run(
            crisk_env,
            db,
            BETWEEN_CHUNKS % {"chunk": CHUNK, "size": 4 * CHUNK},
            "reliability-between-chunks",
        )
        paid = json.loads(output.split("PAID ", 1)[1].splitlines()[0])
        assert paid, "no payment registered"
        emails = {pid: email for email, pid in _customers(crisk_env, db).items()}
        bodies = collections.defaultdict(list)
        for _from, rcpts, message in sink.messages:
            body = message.get_body(("html", "plain")).get_content()
            for rcpt in rcpts:
                bodies[rcpt].append(body)
        settled_reminded = 0
        for pid, invoice, fully_paid in paid:
            texts = bodies[emails[pid]]
            if (fully_paid and texts) or any(invoice in text for text in texts):
                settled_reminded += 1
        # The log agrees with the mail: no paid item among the reminded ones.
        logged = sql(
            crisk_env,
            db,
            """SELECT count(*) FROM customer_risk_followup_execution_line_rel r
                 JOIN account_move_line l ON l.id = r.line_id
                WHERE l.reconciled""",
        )[0][0]
        unpaid_missed = sum(
            1 for pid, _invoice, fully_paid in paid if not fully_paid and not bodies[emails[pid]]
        )
        _assert_clean(crisk_env, db, [lib.LOG_DIR / "reliability-between-chunks.log"])
    print(
        f"RESULT followup_reminders_for_settled_items: {settled_reminded + logged} "
        f"({len(paid)} invoices paid between chunks)"
    )
    assert settled_reminded == 0 and logged == 0
    assert unpaid_missed == 0, "customers still owing after a partial payment were not reminded"


# Another user's decision chained into the company's audit log and committed while a chunk
# of a batch job works: the chunk's own audit entries (credit holds, confirmed reviews) are
# chained at its end, on a snapshot older than that entry. ``%(hook)s`` is the batch step
# after which the other transaction commits, the first ``%(times)d`` times it runs.
INTERLEAVED_AUDIT = """
from odoo import api, SUPERUSER_ID
company = env.ref("base.main_company")
other = env["res.partner"].create({"name": "Interleaved Other Customer", "is_company": True})
%(setup)s
env.cr.commit()
interleaved = []
owner = type(env[%(model)r])
original = getattr(owner, %(hook)r)
def hooked(self, *args, **kwargs):
    result = original(self, *args, **kwargs)
    if len(interleaved) < %(times)d:
        with env.registry.cursor() as cr2:
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            env2["res.partner"].browse(other.id).write(
                {"risk_hold": not env2["res.partner"].browse(other.id).risk_hold,
                 "risk_hold_reason": "decided by another user meanwhile"})
            cr2.commit()
        interleaved.append(len(self))
    return result
setattr(owner, %(hook)r, hooked)
%(run)s
env.cr.commit()
print("INTERLEAVED", len(interleaved))
print("SCRIPT-DONE")
"""

HOLD_LEVEL = """
env["customer.risk.followup.level"].search([]).write({"credit_hold": True})
"""
FOLLOWUP_RUN = f'env["res.partner"]._cron_followup(chunk_size={CHUNK})'

# Every customer gets a tier and a confirmed review; the reviews fall due again and the
# nightly job confirms those that change nothing, chaining each confirmation in the log.
REVIEWED = f"""
from odoo import fields
Assessment = env["customer.risk.assessment"]
today = str(fields.Date.context_today(other))
def due():
    env.cr.execute("UPDATE res_partner SET risk_review_date = jsonb_build_object(%s, %s::text) "
                   "WHERE name LIKE 'Crash Customer %%'", (str(company.id), today))
    env.invalidate_all()
due()
Assessment._cron_periodic_assessments(chunk_size={CHUNK})
Assessment.search([("state", "=", "draft")]).action_confirm()
due()
env.cr.execute("UPDATE customer_risk_assessment SET date = date - 1")
env.invalidate_all()
"""
NIGHTLY_RUN = f'env["customer.risk.assessment"]._cron_periodic_assessments(chunk_size={CHUNK})'


def _interleaved(crisk_env, run_db, name, **parts):
    """Run INTERLEAVED_AUDIT with ``parts`` on a fresh database: returns the database, the
    customers ({email: id}) and the problems of the run's log."""
    with SmtpSink() as sink:
        db = run_db(sink)
        output = odoo_proc.run(crisk_env, db, INTERLEAVED_AUDIT % dict(parts, times=3), name)
    interleaved = int(output.split("INTERLEAVED ", 1)[1].split()[0])
    assert interleaved == 3, output[-3000:]
    return db, _customers(crisk_env, db), lib.log_problems(lib.LOG_DIR / f"{name}.log")


def test_audit_entry_committed_during_a_followup_chunk(crisk_env, run_db):
    db, customers, problems = _interleaved(
        crisk_env,
        run_db,
        "reliability-interleaved-followup",
        model="res.partner",
        hook="_followup_states",
        setup=HOLD_LEVEL,
        run=FOLLOWUP_RUN,
    )
    executed, held = sql(
        crisk_env,
        db,
        """SELECT count(DISTINCT e.partner_id), count(DISTINCT e.partner_id) FILTER (
                      WHERE (p.risk_hold ->> '1')::boolean)
             FROM customer_risk_followup_execution e
             JOIN res_partner p ON p.id = e.partner_id""",
    )[0]
    hold_entries = sql(
        crisk_env, db, "SELECT count(*) FROM customer_risk_audit_log WHERE event = 'hold_change'"
    )[0][0]
    missed = len(customers) - executed
    print(
        f"RESULT followup_customers_missed_after_concurrent_audit_entries: {missed} "
        f"({len(customers)} customers, 3 entries committed during chunks)"
    )
    assert not problems, "\n".join(problems[:5])
    assert missed == 0 and held == len(customers)
    # One entry per customer put on hold by the run, and the other user's three.
    assert hold_entries == len(customers) + 3


def test_audit_entry_committed_during_a_nightly_chunk(crisk_env, run_db):
    db, customers, problems = _interleaved(
        crisk_env,
        run_db,
        "reliability-interleaved-nightly",
        model="customer.risk.assessment",
        hook="_periodic_todo",
        setup=REVIEWED,
        run=NIGHTLY_RUN,
    )
    assessed, confirmed = sql(
        crisk_env,
        db,
        """SELECT count(*), count(*) FILTER (WHERE state = 'confirmed')
             FROM customer_risk_assessment
            WHERE kind = 'periodic' AND date = CURRENT_DATE""",
    )[0]
    missed = len(customers) - assessed
    print(
        f"RESULT nightly_customers_missed_after_concurrent_audit_entries: {missed} "
        f"({len(customers)} customers, {confirmed} reviews confirmed by the job, 3 entries "
        "committed during chunks)"
    )
    assert not problems, "\n".join(problems[:5])
    assert missed == 0 and confirmed > 0
