from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .. import tools


class CustomerRiskWatchlist(models.Model):
    """A list of parties not to trade with, or only with care (sanctions, debarment,
    fraud, the company's own blacklist), imported from a file; customers are screened
    against the entries of the active lists."""

    _name = "customer.risk.watchlist"
    _description = "Watchlist"
    _inherit = ["mail.thread", "customer.risk.officer.mixin"]
    _risk_officer_writes = True
    _order = "date desc, id desc"

    name = fields.Char(string="List Name", required=True, tracking=True)
    source = fields.Char(help="Who publishes the list, e.g. a sanctions authority.")
    date = fields.Date(string="List Date", tracking=True, help="Date of the list's version.")
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to screen the customers of every company."
    )
    entry_ids = fields.One2many("customer.risk.watchlist.entry", "watchlist_id", string="Entries")
    entry_count = fields.Integer(compute="_compute_entry_count")
    note = fields.Text()
    # Screening every customer against the list after an import: ``rescreen_cursor`` is the
    # last customer done, so the job resumes where it stopped.
    rescreen_pending = fields.Boolean(string="Customers To Screen", readonly=True, copy=False)
    rescreen_cursor = fields.Integer(readonly=True, copy=False)

    @api.depends("entry_ids")
    def _compute_entry_count(self):
        counts = dict(
            self.env["customer.risk.watchlist.entry"]._read_group(
                [("watchlist_id", "in", self.ids)], ["watchlist_id"], ["__count"]
            )
        )
        for watchlist in self:
            watchlist.entry_count = counts.get(watchlist, 0)

    def action_view_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_watchlist_entry_action"
        )
        action["domain"] = [("watchlist_id", "=", self.id)]
        action["context"] = {"default_watchlist_id": self.id}
        return action

    def action_import(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_watchlist_import_action"
        )
        action["context"] = {"default_watchlist_id": self.id}
        return action

    # ------------------------------------------------------------------ matching

    @api.model
    def _find_matches(self, partners, company=None, watchlists=None):
        """Watchlist entries the commercial ``partners`` match, in one query for the batch:
        {partner id: [(entry, match type, key)]}.

        Only active entries of active lists count, of ``watchlists`` when given, and of
        lists shared or of ``company`` when given.
        """
        keys = partners._risk_screening_keys()
        names = sorted({key for names, _ids in keys.values() for key in names})
        identifiers = sorted({key for _names, ids in keys.values() for key in ids})
        if not names and not identifiers:
            return {}
        Entry = self.env["customer.risk.watchlist.entry"].sudo()
        Entry.flush_model(["active", "watchlist_id", "name_key", "alias_keys", "identifier_keys"])
        self.flush_model(["active", "company_id"])
        conditions = [SQL("e.active"), SQL("w.active")]
        if company is not None:
            conditions.append(SQL("(w.company_id IS NULL OR w.company_id = %s)", company.id))
        if watchlists is not None:
            conditions.append(SQL("w.id = ANY(%s)", watchlists.ids))
        # The GIN indexes on the key arrays (see the entry's init) serve the overlaps.
        self.env.cr.execute(
            SQL(
                """
                SELECT e.id FROM customer_risk_watchlist_entry e
                  JOIN customer_risk_watchlist w ON w.id = e.watchlist_id
                 WHERE %(conditions)s
                   AND (e.name_key = ANY(%(names)s::varchar[])
                        OR string_to_array(e.alias_keys, '|') && %(names)s::text[]
                        OR string_to_array(e.identifier_keys, '|') && %(identifiers)s::text[])
                """,
                conditions=SQL(" AND ").join(conditions),
                names=names,
                identifiers=identifiers,
            )
        )
        entries = Entry.browse([row[0] for row in self.env.cr.fetchall()])
        candidates = defaultdict(set)
        for entry in entries:
            entry_names, entry_identifiers = entry._match_keys()
            for key in (*entry_names, *entry_identifiers):
                candidates[key].add(entry)
        result = {}
        for partner_id, (partner_names, partner_identifiers) in keys.items():
            found = []
            partner_entries = set().union(
                *(candidates[key] for key in (*partner_names, *partner_identifiers))
            )
            for entry in partner_entries:
                entry_names, entry_identifiers = entry._match_keys()
                found += [
                    (entry.with_env(self.env), match_type, key)
                    for match_type, key in tools.watchlist_matches(
                        partner_names, partner_identifiers, entry_names, entry_identifiers
                    )
                ]
            if found:
                result[partner_id] = sorted(found, key=lambda item: (item[0].id, item[1]))
        return result

    # ------------------------------------------------------------------ re-screening

    def _start_rescreen(self, limit=500):
        """Screen every customer against these lists again, from the first one: one chunk
        of ``limit`` customers now, the rest in the background job."""
        self.write({"rescreen_pending": True, "rescreen_cursor": 0})
        for watchlist in self:
            watchlist._rescreen_step(limit)
        if any(self.mapped("rescreen_pending")):
            self.env.ref("customer_risk.ir_cron_risk_watchlist_rescreen")._trigger()

    def _rescreen_step(self, limit=500):
        """Screen the next ``limit`` customers against this list; returns how many."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()
        # Active commercial customers, in the order of the cursor.
        domain = [
            ("id", ">", self.rescreen_cursor),
            ("customer_rank", ">", 0),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
        ]
        if self.company_id:
            domain.append(("company_id", "in", [self.company_id.id, False]))
        partners = Partner.search(domain, order="id", limit=limit)
        matches = self._find_matches(partners, watchlists=self)
        if matches:
            # Re-screening is the system's work on behalf of the list's importer: it opens
            # rounds in every company the list applies to.
            self.env["customer.risk.screening"].sudo()._screen_watchlist_hits(
                Partner.browse(list(matches)), matches, self.company_id
            )
        done = len(partners) < limit
        self.sudo().write(
            {
                "rescreen_pending": not done,
                "rescreen_cursor": 0 if done else partners[-1].id,
            }
        )
        return len(partners)

    @api.model
    def _cron_rescreen(self, chunk_size=500):
        """Screen the customers against the lists imported since the last run, chunk by
        chunk; each chunk commits with its cursor, and a customer's hits already recorded
        are not recorded twice, so a crash resumes without doing anything twice."""
        done = 0
        while watchlist := self._rescreen_todo():
            done += watchlist._rescreen_step(chunk_size)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            # Batch job: commit per chunk so a crash keeps the work done (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _rescreen_todo(self):
        """A list waiting to be screened, locked with SKIP LOCKED so two runs never screen
        the same list at once."""
        self.flush_model(["rescreen_pending"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM customer_risk_watchlist
                 WHERE rescreen_pending AND active
                 ORDER BY id
                 LIMIT 1
                   FOR UPDATE SKIP LOCKED
                """
            )
        )
        row = self.env.cr.fetchone()
        return self.sudo().browse(row[0]) if row else self.browse()
