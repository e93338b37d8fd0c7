from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from .. import tools
from .customer_risk_screening_check import CHECK_TYPES
from .customer_risk_team_mixin import TASK_ACTIVITY_TYPE

RESULTS = [
    ("approved", "Approved"),
    ("conditional", "Conditional"),
    ("rejected", "Rejected"),
]
STATES = [
    ("draft", "Draft"),
    ("in_review", "In Review"),
    ("decided", "Decided"),
    ("expired", "Expired"),
]


class CustomerRiskScreening(models.Model):
    """One screening round of a customer in one company (customer due diligence): its
    checks, the watchlist entries it matched, and the credit officer's decision, which
    sets the customer's screening state until it expires."""

    _name = "customer.risk.screening"
    _description = "Customer Screening"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "customer.risk.customer.mixin",
        "customer.risk.officer.mixin",
        "customer.risk.kept.mixin",
    ]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        string="Round Date", required=True, default=fields.Date.context_today, tracking=True
    )
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, copy=False, tracking=True
    )
    check_ids = fields.One2many("customer.risk.screening.check", "screening_id", string="Checks")
    hit_ids = fields.One2many(
        "customer.risk.screening.hit", "screening_id", string="Watchlist Hits", readonly=True
    )
    hit_count = fields.Integer(compute="_compute_hit_count")
    pending_count = fields.Integer(string="Pending Checks", compute="_compute_pending_count")
    watchlist_hit = fields.Boolean(
        compute="_compute_watchlist_hit",
        store=True,
        help="The watchlist check fails: the customer's standing screening decision is "
        "suspended until this round is decided or the hit cleared.",
    )
    result = fields.Selection(RESULTS, readonly=True, copy=False, tracking=True)
    decision_note = fields.Text(
        help="Why the customer is approved with conditions or rejected, and the conditions."
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    valid_until = fields.Date(
        copy=False,
        tracking=True,
        help="The decision holds until this date, then the customer must be screened again. "
        "Left empty, it is set at the decision from the company's screening validity.",
    )

    def init(self):
        # One open round per customer and company, even when two arrive at the same time.
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS customer_risk_screening_open_uniq
                       ON customer_risk_screening (partner_id, company_id)
                    WHERE state IN ('draft', 'in_review')"""
            )
        )

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for screening in self:
            screening.display_name = self.env._(
                "Screening %(customer)s, %(date)s",
                customer=screening.partner_id.display_name or "",
                date=screening.date or "",
            )

    def _compute_hit_count(self):
        for screening in self:
            screening.hit_count = len(screening.hit_ids)

    def _compute_pending_count(self):
        for screening in self:
            screening.pending_count = len(
                screening.check_ids.filtered(lambda c: c.result == "pending")
            )

    @api.depends("check_ids.result", "check_ids.check_type")
    def _compute_watchlist_hit(self):
        for screening in self:
            screening.watchlist_hit = any(
                check.check_type == "watchlist" and check.result == "fail"
                for check in screening.check_ids
            )

    # ------------------------------------------------------------------ integrity

    def _check_open(self):
        if any(s.state not in ("draft", "in_review") for s in self):
            raise UserError(self.env._("A decided or expired screening cannot be changed."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_officer()
        for vals in vals_list:
            given = {
                command[2].get("check_type")
                for command in vals.get("check_ids", [])
                if command[0] == Command.CREATE
            }
            vals["check_ids"] = [
                *vals.get("check_ids", []),
                *(
                    Command.create({"check_type": check_type})
                    for check_type, _label in CHECK_TYPES
                    if check_type not in given
                ),
            ]
        self._check_no_open_round(vals_list)
        screenings = super().create(vals_list)
        screenings._sync_partner_states()
        return screenings

    def _check_no_open_round(self, vals_list):
        for vals in vals_list:
            company_id = vals.get("company_id") or self.env.company.id
            domain = [
                ("partner_id", "=", vals.get("partner_id")),
                ("company_id", "=", company_id),
                ("state", "in", ("draft", "in_review")),
            ]
            if open_round := self.sudo().search(domain, limit=1):
                raise UserError(
                    self.env._(
                        "%(customer)s already has a screening in progress: %(screening)s.",
                        customer=open_round.partner_id.display_name,
                        screening=open_round.display_name,
                    )
                )

    def write(self, vals):
        self._check_officer()
        changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
        # A decision is documented: only expiry still changes a decided round.
        expiring = changed == {"state"} and vals["state"] == "expired"
        for screening in self:
            if screening.state == "decided" and changed and not expiring:
                raise UserError(self.env._("A decided screening cannot be changed."))
            if screening.state == "expired" and changed:
                raise UserError(self.env._("An expired screening cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(s.state != "draft" for s in self):
            raise UserError(self.env._("Only draft screenings can be deleted."))

    def unlink(self):
        pairs = self._partner_company_pairs()
        result = super().unlink()
        # Uninstalling drops the customers' screening state with the rest; Odoo cannot
        # write a company-dependent field of a module it is removing.
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._sync_partner_states(pairs)
        return result

    # ------------------------------------------------------------------ partner state

    def _partner_company_pairs(self):
        return {(s.partner_id.id, s.company_id.id) for s in self}

    @api.model
    def _sync_partner_states(self, pairs=None):
        """Write each customer's screening state in each company from its rounds there
        (``tools.partner_screening_state``); returns {(partner id, company id): new state}
        for the customers whose state changed."""
        pairs = pairs if pairs is not None else self._partner_company_pairs()
        if not pairs:
            return {}
        rounds = defaultdict(list)
        partner_ids = {partner_id for partner_id, _company_id in pairs}
        company_ids = {company_id for _partner_id, company_id in pairs}
        for screening in self.sudo().search(
            [("partner_id", "in", list(partner_ids)), ("company_id", "in", list(company_ids))]
        ):
            rounds[screening.partner_id.id, screening.company_id.id].append(
                (screening.state, screening.result, screening.watchlist_hit)
            )
        changed = {}
        # The officer's right was checked by the caller; the state is a protected field.
        Partner = self.env["res.partner"].sudo()
        for partner_id, company_id in pairs:
            partner = Partner.browse(partner_id).with_company(company_id)
            current = partner.risk_screening_state
            state = tools.partner_screening_state(rounds[partner_id, company_id], current)
            if state != (current or "none"):
                partner.risk_screening_state = state
                changed[partner_id, company_id] = state
        return changed

    # ------------------------------------------------------------------ checks

    def action_run_checks(self):
        """Run the automatic checks: the tax ID and the watchlists."""
        self._check_officer()
        self._check_open()
        self._run_tax_id_check()
        self._run_watchlist_check()
        return True

    def _check_of(self, check_type):
        self.ensure_one()
        check = self.check_ids.filtered(lambda c: c.check_type == check_type)
        if not check:
            check = self.env["customer.risk.screening.check"].create(
                {"screening_id": self.id, "check_type": check_type}
            )
        return check

    @api.model
    def _vat_validation_available(self):
        """Odoo's VAT number validation comes with the module base_vat, which this addon
        uses when it is installed but does not require."""
        return bool(
            self.env["ir.module.module"]
            .sudo()
            .search_count([("name", "=", "base_vat"), ("state", "=", "installed")], limit=1)
        )

    def _run_tax_id_check(self):
        available = self._vat_validation_available()
        Partner = self.env["res.partner"]
        for screening in self:
            check = screening._check_of("tax_id")
            if check._is_manual():
                continue
            partner = screening.partner_id
            if not partner.vat:
                vals = {"result": "fail", "note": self.env._("The customer has no tax ID.")}
            elif not available:
                vals = {
                    "result": "na",
                    "note": self.env._(
                        "Tax ID %(vat)s not validated: install the module VAT Number "
                        "Validation (base_vat) to check it automatically, or check it by hand.",
                        vat=partner.vat,
                    ),
                }
            else:
                country = Partner._run_vat_test(partner.vat, partner.country_id, True)
                if country:
                    vals = {
                        "result": "pass",
                        "note": self.env._(
                            "Tax ID %(vat)s is valid for %(country)s.",
                            vat=partner.vat,
                            country=country.upper(),
                        ),
                    }
                elif country is False:
                    vals = {
                        "result": "fail",
                        "note": self.env._("Tax ID %(vat)s is not valid.", vat=partner.vat),
                    }
                else:
                    vals = {
                        "result": "pending",
                        "note": self.env._(
                            "Tax ID %(vat)s could not be validated without the customer's "
                            "country: check it by hand.",
                            vat=partner.vat,
                        ),
                    }
            check.write({**vals, "automatic": True})

    def _run_watchlist_check(self):
        Watchlist = self.env["customer.risk.watchlist"]
        for company, batch in self.grouped("company_id").items():
            list_count = Watchlist.search_count([("company_id", "in", [company.id, False])])
            matches = Watchlist._find_matches(batch.partner_id, company=company)
            for screening in batch:
                found = matches.get(screening.partner_id.id, [])
                screening._record_hits(found)
                check = screening._check_of("watchlist")
                if screening.hit_ids or check._is_manual():
                    continue
                if list_count:
                    note = self.env._(
                        "No match on %(count)s watchlists (%(date)s).",
                        count=list_count,
                        date=fields.Date.context_today(self),
                    )
                    check.write({"result": "pass", "note": note, "automatic": True})
                else:
                    note = self.env._("No watchlist is loaded.")
                    check.write({"result": "na", "note": note, "automatic": True})

    @api.model
    def _screen_watchlist_hits(self, partners, matches, company=None):
        """Customers a watchlist import found (``matches`` as ``_find_matches`` gives):
        record on their open round, in ``company`` or else in every company they belong
        to, the hits not already recorded on one of their rounds there (open or decided),
        opening a round where none is open. Running twice records nothing twice."""
        companies = company or self.env["res.company"].search([])  # pylint: disable=no-search-all
        pairs = [
            (partner, partner_company)
            for partner in partners
            for partner_company in (company or partner.company_id or companies)
        ]
        rounds = self.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "in", companies.ids),
                ("state", "in", ("draft", "in_review", "decided")),
            ]
        )
        seen = defaultdict(set)
        open_rounds = {}
        for screening in rounds:
            pair = (screening.partner_id.id, screening.company_id.id)
            seen[pair] |= {
                (hit.watchlist_id.id, hit.match_type, hit.matched_key) for hit in screening.hit_ids
            }
            if screening.state != "decided":
                open_rounds[pair] = screening
        for partner, partner_company in pairs:
            pair = (partner.id, partner_company.id)
            new = [
                (entry, match_type, key)
                for entry, match_type, key in matches[partner.id]
                if (entry.watchlist_id.id, match_type, key) not in seen[pair]
            ]
            if not new:
                continue
            screening = open_rounds.get(pair) or self.create(
                {"partner_id": partner.id, "company_id": partner_company.id}
            )
            screening._record_hits(new)

    def _record_hits(self, found):
        """Record the watchlist entries ``found`` for this round (``(entry, match type,
        key)`` triples; those already recorded are skipped): the watchlist check fails,
        the round goes to review, and ``_on_watchlist_hit`` is told. Returns the new hits."""
        self.ensure_one()
        known = {(hit.entry_id.id, hit.match_type, hit.matched_key) for hit in self.hit_ids}
        new = [item for item in found if (item[0].id, item[1], item[2]) not in known]
        if not new:
            return self.env["customer.risk.screening.hit"]
        hits = self.env["customer.risk.screening.hit"].create(
            [
                {
                    "screening_id": self.id,
                    "entry_id": entry.id,
                    "watchlist_id": entry.watchlist_id.id,
                    "entry_name": entry.name,
                    "match_type": match_type,
                    "matched_key": key,
                }
                for entry, match_type, key in new
            ]
        )
        listed = ", ".join(
            self.env._(
                "%(name)s (%(watchlist)s)", name=hit.entry_name, watchlist=hit.watchlist_id.name
            )
            for hit in self.hit_ids
        )
        self._check_of("watchlist").write(
            {
                "result": "fail",
                "note": self.env._("Listed as: %(entries)s.", entries=listed),
                "automatic": True,
            }
        )
        if self.state == "draft":
            self.state = "in_review"
        self._sync_partner_states()
        self._on_watchlist_hit(hits)
        return hits

    def _on_watchlist_hit(self, hits):
        """The customers of these rounds were just found on a watchlist (``hits``, the new
        ``customer.risk.screening.hit`` records): each round is in review and its
        customer's standing decision suspended. Record it in both chatters and raise the
        customer's watchlist-hit early-warning alert.
        """
        match_labels = _labels(hits, "match_type")
        for screening in self:
            own = hits.filtered(lambda hit, screening=screening: hit.screening_id == screening)
            if not own:
                continue
            items = Markup().join(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(name)s on %(watchlist)s, matched on %(match)s %(key)s",
                    name=hit.entry_name,
                    watchlist=hit.watchlist_id.name or "",
                    match=match_labels[hit.match_type],
                    key=hit.matched_key,
                )
                for hit in own
            )
            body = Markup("%s<ul>%s</ul>") % (
                self.env._(
                    "Watchlist hit for %(customer)s: screening %(screening)s is in review.",
                    customer=screening.partner_id.display_name,
                    screening=screening._get_html_link(),
                ),
                items,
            )
            screening._risk_post(body=body)
            screening.partner_id._risk_post(body=body)
            self.env["customer.risk.alert"].sudo()._risk_raise(
                screening.partner_id,
                "watchlist_hit",
                self.env._(
                    "%(customer)s matches %(count)s watchlist entries: screening %(screening)s "
                    "is in review.",
                    customer=screening.partner_id.display_name,
                    count=len(own),
                    screening=screening.display_name,
                ),
                company=screening.company_id,
                values={"entries": own.mapped("entry_name")},
            )

    # ------------------------------------------------------------------ decision

    def action_submit(self):
        """The checks are done: the round waits for the officer's decision."""
        self._check_officer()
        for screening in self:
            if screening.state != "draft":
                raise UserError(self.env._("Only draft screenings are submitted for review."))
            screening._check_no_pending()
        self.write({"state": "in_review"})
        return True

    def _check_no_pending(self):
        self.ensure_one()
        pending = self.check_ids.filtered(lambda c: c.result == "pending")
        if pending:
            raise UserError(
                self.env._(
                    "Give a result to every check of %(screening)s first: %(checks)s.",
                    screening=self.display_name,
                    checks=", ".join(_labels(pending, "check_type")[c.check_type] for c in pending),
                )
            )

    def action_approve(self):
        return self._decide("approved")

    def action_approve_conditional(self):
        return self._decide("conditional")

    def action_reject(self):
        return self._decide("rejected")

    def _decide(self, result):
        """Record the officer's decision and give the customer its screening state."""
        self._check_officer()
        for screening in self:
            if screening.state != "in_review":
                raise UserError(self.env._("Submit the screening for review before deciding."))
            screening._check_no_pending()
            failed = screening.check_ids.filtered(lambda c: c.result == "fail")
            if result == "approved" and failed:
                raise UserError(
                    self.env._(
                        "%(screening)s has failed checks: approve it with conditions or "
                        "reject it, and say why.",
                        screening=screening.display_name,
                    )
                )
            if result != "approved" and not screening.decision_note:
                raise UserError(
                    self.env._(
                        "Give the reason and the conditions of the decision on %(screening)s.",
                        screening=screening.display_name,
                    )
                )
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        for screening in self:
            months = screening.company_id.risk_screening_validity_months
            screening.write(
                {
                    "state": "decided",
                    "result": result,
                    "decided_by_id": self.env.uid,
                    "decision_date": now,
                    "valid_until": screening.valid_until or today + relativedelta(months=months),
                }
            )
        self._sync_partner_states()
        labels = _labels(self, "result")
        for screening in self:
            body = self.env._(
                "Screening %(screening)s decided: %(result)s until %(date)s.",
                screening=screening._get_html_link(),
                result=labels[result],
                date=screening.valid_until,
            )
            if screening.decision_note:
                body = Markup("%s<br/>%s") % (body, screening.decision_note)
            screening._risk_post(body=body)
            screening.partner_id._risk_post(body=body)
        self.activity_feedback([TASK_ACTIVITY_TYPE])
        return True

    # ------------------------------------------------------------------ expiry

    @api.model
    def _cron_expire(self, chunk_size=200):
        """Expire decided rounds past their validity, chunk by chunk; each chunk commits
        and only decided rounds are picked, so a crash resumes without repeating work."""
        today = fields.Date.context_today(self)
        done = 0
        while ids := self._expire_todo(today, chunk_size):
            screenings = self.sudo().browse(ids)
            screenings.write({"state": "expired"})
            changed = self._sync_partner_states(screenings._partner_company_pairs())
            for screening in screenings:
                pair = (screening.partner_id.id, screening.company_id.id)
                if changed.get(pair) == "expired":
                    screening.partner_id._risk_post(
                        body=self.env._(
                            "Screening %(screening)s expired on %(date)s: screen the customer "
                            "again.",
                            screening=screening._get_html_link(),
                            date=screening.valid_until,
                        )
                    )
            done += len(ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            # Batch job: commit per chunk so a crash keeps the work done (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _expire_todo(self, today, limit):
        """Decided rounds whose validity ended before ``today``, locked with SKIP LOCKED so
        two runs share the work."""
        self.flush_model(["state", "valid_until"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM customer_risk_screening
                 WHERE state = 'decided' AND valid_until < %(today)s
                 ORDER BY id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
                """,
                today=today,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]


def _labels(records, field_name):
    """{value: label} of a selection field, in the user's language."""
    return dict(records._fields[field_name]._description_selection(records.env))
