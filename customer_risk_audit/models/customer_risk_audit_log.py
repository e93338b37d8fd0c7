import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.customer_risk import tools

_logger = logging.getLogger(__name__)

AUDITOR = "customer_risk_audit.group_risk_auditor"
MANAGER = "customer_risk.group_risk_manager"

# Every event the suite logs. Addons add theirs with ``selection_add``.
EVENTS = [
    ("limit_change", "Credit limit changed"),
    ("tier_change", "Risk tier changed"),
    ("hold_change", "Credit hold changed"),
    ("assessment_confirmed", "Assessment confirmed"),
    ("limit_request_submitted", "Limit request submitted"),
    ("limit_request_approved", "Limit request approved"),
    ("limit_request_rejected", "Limit request rejected"),
    ("release_requested", "Release requested"),
    ("release_approved", "Release approved"),
    ("release_rejected", "Release rejected"),
    ("release_used", "Release used"),
    ("release_expired", "Release expired or void"),
    ("order_blocked", "Order blocked"),
    ("configuration_change", "Configuration changed"),
    ("authority_change", "Release authority changed"),
    ("screening_decided", "Screening decided"),
    ("followup_escalated", "Follow-up escalated"),
    ("promise_broken", "Promise to pay broken"),
    ("contract_activated", "Contract activated"),
    ("contract_terminated", "Contract terminated"),
    ("checklist_completed", "Checklist completed"),
    ("finding_recorded", "Audit finding recorded"),
    ("finding_closed", "Audit finding closed"),
    ("audit_completed", "Internal audit completed"),
]

# Columns of an entry, read back from the database to verify the chain.
ENTRY_COLUMNS = (*tools.audit_chain.HASHED_FIELDS, "hash")
# Rows verified per query.
VERIFY_CHUNK = 5000

# Set only while ``_risk_append`` creates entries: ``create`` refuses every other caller.
_APPENDING = ContextVar("customer_risk_audit_appending", default=False)
# Inside ``_risk_log_deferred``: the entries ``_risk_log`` prepared, appended at its end.
_DEFERRED = ContextVar("customer_risk_audit_deferred", default=None)


def rewrite_lasting(registry, uid, context, prepared, hashes, check_committed):
    """After the transaction of ``_risk_log_lasting`` ended, write its entries again in a
    transaction of their own: always after a rollback, after a commit only when they are
    missing (rolled back to a savepoint)."""
    try:
        with registry.cursor() as cr:
            log = api.Environment(cr, uid, context)["customer.risk.audit.log"]
            if check_committed and log._risk_hashes_exist(hashes):
                return
            log._risk_append(log._risk_existing_references(prepared))
    except Exception:
        _logger.exception("Could not record a refused decision in the credit audit log")


class CustomerRiskAuditLog(models.Model):
    """One decision of the credit team (or of the system), append-only.

    Entries are written only by ``_risk_log``; nobody writes or deletes them through the
    ORM, superuser included. Each company's entries form a hash chain (see
    ``customer_risk.tools.audit_chain``): editing a row in the database breaks it, and
    *Verify Integrity* names the first entry that no longer matches.
    """

    _name = "customer.risk.audit.log"
    _description = "Credit Audit Log Entry"
    _order = "id desc"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    sequence = fields.Integer(
        required=True, readonly=True, help="Position of the entry in its company's chain."
    )
    logged_at = fields.Datetime(string="Logged On", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="restrict"
    )
    event = fields.Selection(EVENTS, required=True, readonly=True, index=True)
    res_model = fields.Char(string="Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True, index=True
    )
    res_name = fields.Char(string="Record", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True, ondelete="restrict"
    )
    values_before = fields.Text(string="Before", readonly=True)
    values_after = fields.Text(string="After", readonly=True)
    reason = fields.Text(readonly=True)
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True)
    chain_ok = fields.Boolean(
        string="Intact",
        compute="_compute_chain_ok",
        help="The entry still matches its hash and the hash of the entry before it.",
    )

    _sql_constraints = [
        (
            "company_sequence_uniq",
            "unique(company_id, sequence)",
            "Two audit log entries cannot hold the same place in a company's chain.",
        ),
    ]

    @api.depends("event", "res_name", "sequence")
    def _compute_display_name(self):
        labels = dict(self._fields["event"]._description_selection(self.env))
        for entry in self:
            entry.display_name = self.env._(
                "#%(sequence)s %(event)s: %(record)s",
                sequence=entry.sequence,
                event=labels.get(entry.event, entry.event or ""),
                record=entry.res_name or "",
            )

    # ------------------------------------------------------------------ append-only

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su and _APPENDING.get()):
            raise AccessError(
                self.env._("Audit log entries are written by the application, never by hand.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise AccessError(self.env._("Audit log entries cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_never(self):
        # Checked at uninstallation too (the flag that skips checks is a context key a
        # client could send); uninstalling the addon drops the table without deleting rows.
        raise AccessError(self.env._("Audit log entries cannot be deleted."))

    # ------------------------------------------------------------------ the API

    @api.model
    def _risk_log(self, records, event, before=None, after=None, reason=None, company=None):
        """Log ``event`` once for each record of ``records`` (any model) and return the entries.

        ``before`` and ``after`` are the values the decision changed (dicts of JSON values;
        see ``_risk_values``), ``reason`` why it was taken. The entry's company is
        ``company``, else the record's own company, else the current company; its customer
        is the record's commercial partner when it has one. The user is the current user,
        also in superuser mode. Entries are chained under a lock on their company (see
        ``_risk_append``), whoever calls: the caller needs no access to the log.
        """
        prepared = self._risk_prepare(records, event, before, after, reason, company)
        deferred = _DEFERRED.get()
        if deferred is not None:
            deferred.extend(prepared)
            return self.browse()
        return self._risk_append(prepared).with_env(self.env)

    @contextmanager
    def _risk_log_deferred(self):
        """Within this block, ``_risk_log`` prepares its entries and they are appended all
        together when the block ends without error (one lock of each company's chain head
        for a whole batch job's chunk rather than one per entry); ``_risk_log`` then
        returns an empty recordset. When the block fails, its entries are dropped with the
        work they record. Nested blocks append with the outermost one."""
        if _DEFERRED.get() is not None:
            yield
            return
        prepared = []
        token = _DEFERRED.set(prepared)
        try:
            yield
        finally:
            _DEFERRED.reset(token)
        if prepared:
            self._risk_append(prepared)

    @api.model
    def _risk_log_lasting(self, records, event, before=None, after=None, reason=None, company=None):
        """Like ``_risk_log`` for a decision whose own transaction rolls back, such as a
        refused confirmation (the UserError undoes everything).

        The entry is written in this transaction, so the caller sees it at once; if the
        transaction then rolls back, or commits without it (rolled back to a savepoint), it
        is written again, just after, in a transaction of its own. Writing it first in a
        separate transaction instead could wait forever for a lock this very transaction
        holds (it may already have logged something for the same company).
        """
        prepared = self._risk_prepare(records, event, before, after, reason, company)
        entries = self._risk_append(prepared)
        args = (self.env.registry, self.env.uid, self.env.context, prepared, entries.mapped("hash"))
        self.env.cr.postrollback.add(partial(rewrite_lasting, *args, check_committed=False))
        self.env.cr.postcommit.add(partial(rewrite_lasting, *args, check_committed=True))
        return entries.with_env(self.env)

    @api.model
    def _risk_log_changes(self, record, event, before, reason=None, company=None):
        """Log ``event`` on ``record`` when fields of ``before`` (from ``_risk_values``) have
        changed since, with the changed fields only; an empty recordset when none did."""
        after = self._risk_values(record, list(before))
        changed = [name for name in before if before[name] != after[name]]
        if not changed:
            return self.browse()
        return self._risk_log(
            record,
            event,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            reason=reason,
            company=company,
        )

    @api.model
    def _risk_values(self, record, names):
        """{field: value} of ``record`` as JSON values for ``before`` / ``after``: many2one
        as [id, name], x2many as ids, dates as strings, empty values as None."""
        record = record.sudo()
        values = {}
        for name in names:
            field, value = record._fields[name], record[name]
            if field.type == "many2one":
                value = [value.id, value.display_name] if value else None
            elif field.type in ("one2many", "many2many"):
                value = value.ids
            elif field.type in ("date", "datetime"):
                value = field.to_string(value) if value else None
            elif field.type == "boolean":
                value = bool(value)
            elif value is False:
                value = None
            values[name] = value
        return values

    # ------------------------------------------------------------------ chain

    @api.model
    def _risk_prepare(self, records, event, before, after, reason, company):
        """Plain values of the entries, without their place in the chain."""
        now = fields.Datetime.now()
        prepared = []
        for record in records.sudo():
            if company:
                entry_company = company
            elif record._name == "res.company":
                entry_company = record
            elif "company_id" in record._fields and record.company_id:
                entry_company = record.company_id
            else:
                entry_company = self.env.company
            partner, partner_field = self.env["res.partner"], record._fields.get("partner_id")
            if record._name == "res.partner":
                partner = record.commercial_partner_id
            elif partner_field and partner_field.comodel_name == "res.partner":
                partner = record.partner_id.commercial_partner_id
            prepared.append(
                {
                    "company_id": entry_company.id,
                    "logged_at": now,
                    "user_id": self.env.uid,
                    "event": event,
                    "res_model": record._name,
                    "res_id": record.id,
                    "res_name": record.display_name or None,
                    "partner_id": partner.id or None,
                    "values_before": tools.audit_chain.values_text(before),
                    "values_after": tools.audit_chain.values_text(after),
                    "reason": reason or None,
                }
            )
        return prepared

    @api.model
    def _risk_append(self, prepared):
        """Chain and create the prepared entries, company by company.

        The company's chain head (last sequence and hash, on the company) is locked and
        then updated. Odoo runs transactions in REPEATABLE READ: when another transaction
        logged for the same company after this one started, taking the lock raises a
        serialization failure and Odoo retries the request on fresh data, so two writers
        never fork a chain (a plain lock would let the second one chain on its stale view).
        """
        entries = self.sudo()
        for company_id in sorted({vals["company_id"] for vals in prepared}):
            batch = [vals for vals in prepared if vals["company_id"] == company_id]
            sequence, previous = self._risk_lock_head(company_id)
            vals_list = []
            for prepared_vals in batch:
                sequence += 1
                vals = dict(prepared_vals, sequence=sequence, previous_hash=previous)
                vals["hash"] = previous = tools.audit_chain.entry_hash(self._risk_hashed(vals))
                vals_list.append(vals)
            token = _APPENDING.set(True)
            try:
                entries |= self.sudo().create(vals_list)
            finally:
                _APPENDING.reset(token)
            self.env.cr.execute(
                SQL(
                    """UPDATE res_company
                          SET risk_audit_log_sequence = %(sequence)s,
                              risk_audit_log_hash = %(hash)s
                        WHERE id = %(company)s""",
                    sequence=sequence,
                    hash=previous,
                    company=company_id,
                )
            )
        self.env["res.company"].invalidate_model(["risk_audit_log_sequence", "risk_audit_log_hash"])
        entries.flush_recordset()
        return entries

    @api.model
    def _risk_lock_head(self, company_id):
        """Lock the company's chain head and return its (last sequence, last hash).

        A serialization failure here is the expected outcome of another entry chained
        since this transaction began (see ``_risk_append``), handled by whoever starts the
        work again: it is not logged as a failed query."""
        self.env.cr.execute(
            SQL(
                """SELECT risk_audit_log_sequence, risk_audit_log_hash
                     FROM res_company WHERE id = %s FOR NO KEY UPDATE""",
                company_id,
            ),
            log_exceptions=False,
        )
        sequence, last_hash = self.env.cr.fetchone()
        return sequence or 0, last_hash or tools.audit_chain.GENESIS

    @api.model
    def _risk_hashed(self, vals):
        """The entry as the chain hashes it: ids as integers, the time as text, empty
        values as None (the same whether it comes from ``vals`` or from the database)."""
        entry = {}
        for name in tools.audit_chain.HASHED_FIELDS:
            value = vals.get(name)
            if name == "logged_at" and value:
                value = fields.Datetime.to_string(value)
            entry[name] = None if value is False or value == "" else value
        return entry

    @api.model
    def _risk_hashes_exist(self, hashes):
        self.env.cr.execute(
            SQL("SELECT COUNT(*) FROM customer_risk_audit_log WHERE hash = ANY(%s)", hashes)
        )
        return self.env.cr.fetchone()[0] == len(hashes)

    @api.model
    def _risk_existing_references(self, prepared):
        """``prepared`` without the customer when it no longer exists (it was created in the
        transaction that rolled back; the record's name stays in the entry)."""
        partner_ids = {vals["partner_id"] for vals in prepared if vals["partner_id"]}
        existing = set(self.env["res.partner"].browse(partner_ids).exists().ids)
        return [
            dict(vals, partner_id=vals["partner_id"] if vals["partner_id"] in existing else None)
            for vals in prepared
        ]

    # ------------------------------------------------------------------ verification

    def _compute_chain_ok(self):
        """Each entry against its own hash and its predecessor's, read from the database
        (one query for the whole batch)."""
        entries = self.filtered("id")
        rows = {}
        if entries:
            self.flush_model()
            self.env.cr.execute(
                SQL(
                    """SELECT %(columns)s, prev.hash AS stored_previous
                         FROM customer_risk_audit_log log
                    LEFT JOIN customer_risk_audit_log prev
                           ON prev.company_id = log.company_id
                          AND prev.sequence = log.sequence - 1
                        WHERE log.id = ANY(%(ids)s)""",
                    columns=SQL(", ").join(
                        SQL("log.%s", SQL.identifier(name)) for name in ("id", *ENTRY_COLUMNS)
                    ),
                    ids=entries.ids,
                )
            )
            rows = {row["id"]: row for row in self.env.cr.dictfetchall()}
        for entry in self:
            row = rows.get(entry.id)
            if not row:
                entry.chain_ok = False
                continue
            previous = row["stored_previous"]
            if row["sequence"] == 1:
                previous = tools.audit_chain.GENESIS
            entry.chain_ok = bool(previous) and not tools.audit_chain.breaks_chain(
                {**self._risk_hashed(row), "hash": row["hash"]}, previous, row["sequence"]
            )

    @api.model
    def _risk_verify_chain(self, company):
        """Verify ``company``'s whole chain, read straight from the database.

        Returns ``(entries verified, first entry that breaks the chain or an empty
        recordset, sequence the chain should reach)``; the last value differs from the
        number of entries only when entries were removed from the end.
        """
        self.flush_model()
        previous, sequence, position, count = tools.audit_chain.GENESIS, 1, (0, 0), 0
        while True:
            self.env.cr.execute(
                SQL(
                    """SELECT id, %(columns)s FROM customer_risk_audit_log
                        WHERE company_id = %(company)s AND (sequence, id) > %(after)s
                        ORDER BY sequence, id LIMIT %(limit)s""",
                    columns=SQL(", ").join(SQL.identifier(name) for name in ENTRY_COLUMNS),
                    company=company.id,
                    after=position,
                    limit=VERIFY_CHUNK,
                )
            )
            rows = self.env.cr.dictfetchall()
            if not rows:
                break
            entries = [{**self._risk_hashed(row), "hash": row["hash"]} for row in rows]
            broken = tools.audit_chain.first_broken(entries, previous, sequence)
            if broken is not None:
                return count + broken, self.browse(rows[broken]["id"]), None
            count += len(rows)
            previous, sequence = rows[-1]["hash"], rows[-1]["sequence"] + 1
            position = (rows[-1]["sequence"], rows[-1]["id"])
        self.env.cr.execute(
            SQL("SELECT risk_audit_log_sequence FROM res_company WHERE id = %s", company.id)
        )
        return count, self.browse(), self.env.cr.fetchone()[0] or 0

    def action_verify_integrity(self):
        """Recompute the whole chain of each active company, whatever entries ``self``
        holds (a list button passes the selected ones), and say where it breaks, if it
        does; the entries at fault open highlighted."""
        if not self.env.user.has_group(AUDITOR) and not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._("Only internal auditors and credit managers verify the audit log.")
            )
        messages, broken, tampered = [], self.browse(), False
        for company in self.env.companies:
            count, entry, expected = self.sudo()._risk_verify_chain(company)
            if entry:
                broken |= entry
                entry = entry.sudo()
                messages.append(
                    self.env._(
                        "%(company)s: entry #%(sequence)s (%(entry)s, logged on %(date)s) does "
                        "not match its hash chain: it was changed after it was logged, or an "
                        "entry before it was removed. The %(count)s entries before it are "
                        "intact.",
                        company=company.name,
                        sequence=entry.sequence,
                        entry=entry.display_name,
                        date=fields.Datetime.to_string(entry.logged_at),
                        count=count,
                    )
                )
            elif expected != count:
                messages.append(
                    self.env._(
                        "%(company)s: the chain ends at entry #%(count)s but had reached "
                        "#%(expected)s: the last entries were removed.",
                        company=company.name,
                        count=count,
                        expected=expected,
                    )
                )
            else:
                messages.append(
                    self.env._(
                        "%(company)s: %(count)s entries verified, the chain is intact.",
                        company=company.name,
                        count=count,
                    )
                )
                continue
            tampered = True
        params = {
            "title": self.env._("Audit log tampered with")
            if tampered
            else self.env._("Audit log verified"),
            "message": "\n".join(messages),
            "type": "danger" if tampered else "success",
            "sticky": tampered,
        }
        if broken:
            params["next"] = {
                "type": "ir.actions.act_window",
                "name": self.env._("Entries Breaking the Chain"),
                "res_model": self._name,
                "views": [(False, "list"), (False, "form")],
                "domain": [("id", "in", broken.ids)],
                "target": "current",
            }
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
