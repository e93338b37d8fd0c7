import json
from unittest.mock import patch

from psycopg2 import errors

from odoo import sql_db
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.customer_risk import tools

from .common_log import AuditLogCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-06-10 09:00:00")
class TestAuditLog(AuditLogCommon):
    """The audit log is append-only and chained by hash per company; any row edited in the
    database is found and named."""

    def entries(self, count=4):
        """``count`` entries of the test company, oldest first."""
        for index in range(count):
            self.Log._risk_log(
                self.customer,
                "hold_change",
                before={"risk_hold": False},
                after={"risk_hold": True, "index": index},
                reason=f"Reason {index}",
                company=self.company,
            )
        return self.logs()

    def sql_update(self, entry, **values):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_risk_audit_log SET %s WHERE id = %s",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(name), value) for name, value in values.items()
                ),
                entry.id,
            )
        )
        self.env.invalidate_all()

    def test_entries_are_chained(self):
        head = self.company.sudo()
        start, start_hash = head.risk_audit_log_sequence, head.risk_audit_log_hash
        self.assertTrue(start, "setting up the fixtures was logged")
        entries = self.entries(3)
        self.assertEqual(entries.mapped("sequence"), [start + 1, start + 2, start + 3])
        self.assertEqual(entries[0].previous_hash, start_hash)
        self.assertEqual(entries[1].previous_hash, entries[0].hash)
        self.assertEqual(entries[2].previous_hash, entries[1].hash)
        first = self.Log.search([("company_id", "=", self.company.id), ("sequence", "=", 1)])
        self.assertEqual(first.previous_hash, tools.audit_chain.GENESIS)
        self.assertRecordValues(
            entries[0],
            [
                {
                    "event": "hold_change",
                    "user_id": self.env.user.id,
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                    "res_name": self.customer.display_name,
                    "partner_id": self.customer.id,
                    "reason": "Reason 0",
                    "chain_ok": True,
                }
            ],
        )
        self.assertEqual(json.loads(entries[0].values_after), {"risk_hold": True, "index": 0})
        self.assertEqual(str(entries[0].logged_at), "2025-06-10 09:00:00")
        head.invalidate_recordset()
        self.assertEqual(head.risk_audit_log_sequence, start + 3)
        self.assertEqual(head.risk_audit_log_hash, entries[2].hash)
        count, broken, reached = self.Log._risk_verify_chain(self.company)
        self.assertEqual((count, broken, reached), (start + 3, self.Log.browse(), start + 3))

    def test_nobody_writes_or_deletes_entries(self):
        entry = self.entries(1)
        admin = self.env.ref("base.user_admin")
        for env in (
            self.env(user=self.user_auditor),
            self.env(user=self.user_manager),
            self.env(user=admin),
            self.env(su=True),
        ):
            log = entry.with_env(env)
            with self.subTest(user=env.user.login, su=env.su):
                with self.assertRaises(AccessError):
                    log.write({"reason": "Rewritten"})
                with self.assertRaises(AccessError):
                    log.unlink()
                with self.assertRaises(AccessError):
                    log.copy()
                with self.assertRaises(AccessError):
                    env["customer.risk.audit.log"].create(
                        {
                            "company_id": self.company.id,
                            "sequence": 2,
                            "logged_at": "2025-06-10 09:00:00",
                            "user_id": env.uid,
                            "event": "hold_change",
                        }
                    )
        self.assertEqual(entry.reason, "Reason 0")
        self.assertEqual(len(self.logs()), 1)

    def test_sql_update_is_named_exactly(self):
        """After an SQL UPDATE of one row, Verify Integrity names exactly that row."""
        entries = self.entries(4)
        for index, values in (
            (0, {"reason": "Nothing happened"}),
            (1, {"values_after": '{"risk_hold": false}'}),
            (2, {"user_id": self.user_sales.id}),
            (3, {"logged_at": "2025-06-11 09:00:00"}),
        ):
            with self.subTest(index=index), self.env.cr.savepoint(flush=False) as savepoint:
                tampered = entries[index]
                self.sql_update(tampered, **values)
                count, broken, _reached = self.Log._risk_verify_chain(self.company)
                self.assertEqual(broken, tampered)
                self.assertEqual(count, tampered.sequence - 1)
                self.assertEqual([e.chain_ok for e in entries], [e != tampered for e in entries])
                action = self.Log.with_user(self.user_auditor).action_verify_integrity()
                params = action["params"]
                self.assertEqual(params["type"], "danger")
                self.assertIn(f"entry #{tampered.sequence} ", params["message"])
                self.assertEqual(params["next"]["domain"], [("id", "in", tampered.ids)])
                savepoint.rollback()
                self.env.invalidate_all()
        action = self.Log.with_user(self.user_manager).action_verify_integrity()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(f"{entries[-1].sequence} entries verified", action["params"]["message"])

    def test_rewritten_hash_and_removed_entries_are_found(self):
        entries = self.entries(4)
        # Rewriting a row together with its hash breaks the link of the row after it.
        self.sql_update(entries[1], reason="Edited")
        self.env.cr.execute(
            SQL("SELECT * FROM customer_risk_audit_log WHERE id = %s", entries[1].id)
        )
        forged = tools.audit_chain.entry_hash(self.Log._risk_hashed(self.env.cr.dictfetchone()))
        self.sql_update(entries[1], hash=forged)
        self.assertEqual(self.Log._risk_verify_chain(self.company)[1], entries[2])
        # A row removed in the middle: the row after it is named (the forged one passes).
        self.env.cr.execute(SQL("DELETE FROM customer_risk_audit_log WHERE id = %s", entries[2].id))
        self.assertEqual(self.Log._risk_verify_chain(self.company)[1], entries[3])

    def test_removed_last_entries_are_found(self):
        entries = self.entries(3)
        last = entries[2].sequence
        self.env.flush_all()
        self.env.cr.execute(SQL("DELETE FROM customer_risk_audit_log WHERE id = %s", entries[2].id))
        self.env.invalidate_all()
        self.assertEqual(
            self.Log._risk_verify_chain(self.company), (last - 1, self.Log.browse(), last)
        )
        params = self.Log.with_user(self.user_auditor).action_verify_integrity()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("removed", params["message"])

    def test_each_company_has_its_own_chain(self):
        other = self.setup_other_company(name="Risk Co 2")["company"]
        self.user_auditor.sudo().company_ids |= other
        for company in (self.company, other, self.company, other, other):
            self.Log._risk_log(self.customer, "tier_change", before={}, after={}, company=company)
        start = self.logs()[0].sequence
        self.assertEqual(self.logs().mapped("sequence"), [start, start + 1])
        self.assertEqual(self.logs(company=other).mapped("sequence"), [1, 2, 3])
        self.sql_update(self.logs(company=other)[1], reason="Edited")
        self.assertFalse(self.Log._risk_verify_chain(self.company)[1])
        self.assertEqual(self.Log._risk_verify_chain(other)[1], self.logs(company=other)[1])
        # Each user verifies and reads the companies they work in.
        auditor = self.Log.with_user(self.user_auditor).with_context(
            allowed_company_ids=self.company.ids
        )
        self.assertEqual(auditor.action_verify_integrity()["params"]["type"], "success")
        self.assertEqual(auditor.search_count([]), start + 1)

    def test_writers_lock_the_company_chain(self):
        """A writer locks its company's chain head before reading it: while another
        transaction holds it, the writer waits (here: until a short lock timeout) at that
        very statement, before writing anything. Under REPEATABLE READ the waiting writer
        then fails to serialize and Odoo retries it on fresh data: tests/test_audit_rpc.py
        shows it with concurrent writers on a live server."""
        company = self.env.ref("base.main_company")
        self.env.flush_all()
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(
                SQL("SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE", company.id)
            )
            queries, execute = [], self.env.cr.execute

            def spy(query, *args, **kwargs):
                queries.append(query.code if isinstance(query, SQL) else query)
                return execute(query, *args, **kwargs)

            with (
                patch.object(self.env.cr, "execute", spy),
                mute_logger("odoo.sql_db"),
                self.assertRaises(errors.LockNotAvailable),
            ):
                self.env.cr.execute("SET LOCAL lock_timeout = '300ms'")
                self.Log._risk_log(self.customer, "tier_change", company=company)
            # It waited at the lock of the head, not later at its update.
            waited = [query for query in queries if "res_company" in query][-1]
            self.assertIn("FOR NO KEY UPDATE", waited)
            other.rollback()
        self.assertFalse(self.logs(company=company))

    def test_only_auditors_and_managers_read_and_verify(self):
        entry = self.entries(1)
        for user in (self.user_auditor, self.user_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self.Log.with_user(user).search([], limit=1), entry)
        for user in (self.user_officer, self.user_sales, self.user_billing):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["customer.risk.audit.log"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.env["customer.risk.audit.log"].with_user(user).action_verify_integrity()
        for user in (self.user_auditor, self.user_manager):
            with self.subTest(user=user.login):
                self.env["customer.risk.audit.log"].with_user(user).get_views(
                    [(False, "list"), (False, "form"), (False, "search")]
                )

    def test_log_api_takes_any_record(self):
        order = self.make_order(amount=50.0)
        entry = self.Log._risk_log(
            order, "contract_activated", before={"state": "draft"}, after={"state": "active"}
        )
        self.assertRecordValues(
            entry,
            [
                {
                    "company_id": self.company.id,
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "res_name": order.name,
                    "partner_id": self.customer.id,
                    "reason": False,
                }
            ],
        )
        shared_tier = self.tier_low.sudo()
        self.assertFalse(shared_tier.company_id)
        entry = self.Log.with_company(self.company)._risk_log(shared_tier, "configuration_change")
        self.assertEqual(entry.company_id, self.company)
        self.assertFalse(entry.partner_id)
        self.assertFalse(entry.values_before)
        with self.assertRaises(ValueError):
            self.Log._risk_log(order, "made_up_event")
