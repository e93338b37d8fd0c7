import json
import logging
from collections import defaultdict

import psycopg2
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

from .. import tools
from .customer_risk_team_mixin import TASK_ACTIVITY_TYPE

_logger = logging.getLogger(__name__)

KINDS = [
    ("initial", "Initial"),
    ("periodic", "Periodic"),
    ("event", "Event"),
    ("manual", "Manual"),
]


class CustomerRiskAssessment(models.Model):
    """A credit assessment of one customer in one company: the figures gathered, the points
    each factor of the scorecard gives, the score, the tier it proposes and, once confirmed
    by a credit officer, the tier, limit and review date applied to the customer."""

    _name = "customer.risk.assessment"
    _description = "Credit Assessment"
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
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    kind = fields.Selection(KINDS, required=True, default="manual", tracking=True)
    scorecard_id = fields.Many2one(
        "customer.risk.scorecard",
        compute="_compute_scorecard_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    line_ids = fields.One2many(
        "customer.risk.assessment.line", "assessment_id", string="Breakdown", copy=True
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        digits=(5, 1),
        aggregator="avg",
        tracking=True,
        help="0-100, higher is safer: the factors' points weighted by the factors that have "
        "a value.",
    )
    proposed_tier_id = fields.Many2one(
        "customer.risk.tier",
        compute="_compute_score",
        store=True,
        help="The tier whose score range holds the score.",
    )
    tier_id = fields.Many2one(
        "customer.risk.tier",
        compute="_compute_tier_id",
        store=True,
        readonly=False,
        tracking=True,
        check_company=True,
        help="The tier confirming applies: the proposed one unless the officer overrides it "
        "with a reason.",
    )
    tier_reason = fields.Char(
        string="Override Reason", help="Why the tier differs from the one the score proposes."
    )
    sales_12m = fields.Monetary(
        string="Sales (12 Months)",
        readonly=True,
        help="Invoiced sales minus refunds, untaxed, over the 12 months before the date.",
    )
    agency_limit = fields.Monetary(
        readonly=True, help="Latest credit limit recommended by an agency."
    )
    inputs = fields.Text(string="Figures Used", readonly=True)
    assessed_by_id = fields.Many2one("res.users", string="Computed By", readonly=True)
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    confirm_date = fields.Datetime(string="Confirmed On", readonly=True, copy=False)
    previous_tier_id = fields.Many2one(
        "customer.risk.tier", string="Tier Before", readonly=True, copy=False
    )
    credit_limit = fields.Monetary(
        string="Credit Limit Applied",
        readonly=True,
        copy=False,
        help="The customer's credit limit after confirmation (a manual limit is kept).",
    )
    next_review_date = fields.Date(string="Next Review", readonly=True, copy=False)

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for assessment in self:
            assessment.display_name = self.env._(
                "%(customer)s, %(date)s",
                customer=assessment.partner_id.display_name or "",
                date=assessment.date or "",
            )

    @api.depends("company_id")
    def _compute_scorecard_id(self):
        Scorecard = self.env["customer.risk.scorecard"]
        for assessment in self:
            assessment.scorecard_id = Scorecard._default_for_company(assessment.company_id)

    @api.depends("line_ids.points", "line_ids.weight", "line_ids.counted", "company_id")
    def _compute_score(self):
        tiers_of = {}
        for assessment in self:
            company = assessment.company_id
            if company not in tiers_of:
                tiers_of[company] = self.env["customer.risk.tier"].search(
                    [("company_id", "in", [company.id, False])]
                )
            score = tools.weighted_score(
                (line.points if line.counted else None, line.weight) for line in assessment.line_ids
            )
            tier_id = tools.tier_for_score(
                score, [(tier.id, tier.score_min) for tier in tiers_of[company]]
            )
            assessment.score = score or 0.0
            assessment.proposed_tier_id = tier_id

    @api.depends("proposed_tier_id")
    def _compute_tier_id(self):
        for assessment in self:
            assessment.tier_id = assessment.proposed_tier_id

    # ------------------------------------------------------------------ integrity

    def write(self, vals):
        # A confirmed assessment is a documented decision and a cancelled one only goes back
        # to draft: neither changes its figures, whoever asks.
        changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
        for assessment in self:
            if (assessment.state == "confirmed" and changed) or (
                assessment.state == "cancelled" and changed - {"state"}
            ):
                raise UserError(
                    self.env._("A confirmed or cancelled credit assessment cannot be changed.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if any(a.state == "confirmed" for a in self):
            raise UserError(self.env._("A confirmed credit assessment cannot be deleted."))

    def _check_draft(self):
        if any(a.state != "draft" for a in self):
            raise UserError(self.env._("Only draft credit assessments can be changed."))

    # ------------------------------------------------------------------ actions

    def action_compute(self):
        """Gather the figures of every assessment in ``self`` (one batch per company and
        date) and rebuild their breakdown lines."""
        self._check_officer()
        self._check_draft()
        for (company, date), batch in self.grouped(lambda a: (a.company_id, a.date)).items():
            figures = batch._gather_figures(company, date)
            for assessment in batch:
                assessment._write_breakdown(figures[assessment.partner_id.id])
        return True

    def _write_breakdown(self, figures):
        self.ensure_one()
        scorecard = self.scorecard_id
        if not scorecard.factor_ids:
            raise UserError(
                self.env._(
                    "Choose a scorecard with factors to assess %(customer)s.",
                    customer=self.partner_id.display_name,
                )
            )
        line_of = {line.factor_id: line for line in self.line_ids}
        commands = [
            Command.delete(line.id)
            for factor, line in line_of.items()
            if factor not in scorecard.factor_ids
        ]
        for factor in scorecard.factor_ids:
            vals = self._factor_line_vals(factor, figures)
            line = line_of.get(factor)
            commands.append(
                Command.update(line.id, vals)
                if line
                else Command.create({"factor_id": factor.id, **vals})
            )
        self.write({"line_ids": commands, **self._figures_vals(figures)})

    @api.model
    def _factor_line_vals(self, factor, figures, bands=None):
        """Values of the breakdown line of ``factor`` for the customer's ``figures``."""
        vals = {"weight": factor.weight}
        # Manual factors keep the points the officer typed.
        if factor.factor_type != "manual":
            vals.update(self._line_figures(factor, figures.get(factor.factor_type), bands))
        return vals

    @api.model
    def _figures_vals(self, figures):
        return {
            "sales_12m": figures["sales_volume"],
            "agency_limit": figures["agency_limit"] or 0.0,
            "inputs": json.dumps(figures, indent=1, sort_keys=True, default=str),
            "assessed_by_id": self.env.uid,
        }

    def _line_figures(self, factor, value, bands=None):
        bands, bounds = bands or factor._bands()
        index = tools.band_index(value, bounds)
        if value is None:
            label = self.env._("No figure")
        elif index is None:
            label = self.env._("No band for %(value)s", value=round(value, 2))
        else:
            label = bands[index].label
        return {
            "value": value or 0.0,
            "counted": index is not None,
            "points": tools.band_points(value, bounds) or 0.0,
            "band_label": label,
        }

    def action_confirm(self):
        """Apply the tier, its limit (unless the customer has a manual limit), its payment
        terms and the next review date to the customer, and document the decision."""
        self._check_officer()
        self._check_draft()
        for assessment in self:
            if not any(assessment.line_ids.mapped("counted")):
                raise UserError(
                    self.env._(
                        "Compute the assessment of %(customer)s first: no factor has a value.",
                        customer=assessment.partner_id.display_name,
                    )
                )
            if not assessment.tier_id:
                raise UserError(self.env._("Choose the tier to apply."))
            if assessment.tier_id != assessment.proposed_tier_id and not assessment.tier_reason:
                raise UserError(
                    self.env._(
                        "Give the reason for choosing tier %(tier)s instead of the proposed "
                        "%(proposed)s.",
                        tier=assessment.tier_id.display_name,
                        proposed=assessment.proposed_tier_id.display_name or "-",
                    )
                )
        decisions = [(a.partner_id.id, a._apply_to_partner()) for a in self]
        # The decisions in the customers' chatter and their list figures, once per batch.
        self.env["res.partner"]._risk_log_notes(decisions)
        for company, batch in self.grouped("company_id").items():
            batch.partner_id.sudo()._risk_refresh_snapshot(company)
        self.activity_feedback([TASK_ACTIVITY_TYPE])
        return True

    def _apply_to_partner(self):
        """Apply this assessment to its customer; returns the sentence documenting the
        decision in the customer's chatter (``action_confirm`` writes them together)."""
        self.ensure_one()
        company, tier = self.company_id, self.tier_id
        # The officer's right was checked above; the partner's protected fields then need
        # elevated rights (manual limits stay the credit manager's).
        partner = self.partner_id.sudo().with_company(company)
        previous_tier = partner.risk_tier_id
        next_review = self.date + relativedelta(months=tier.review_interval_months)
        vals = {
            "risk_tier_id": tier.id,
            "risk_score": self.score,
            "risk_review_date": next_review,
        }
        if not partner.risk_limit_manual:
            vals["credit_limit"] = self._tier_credit_limit()
        if tier.payment_term_id:
            vals["property_payment_term_id"] = tier.payment_term_id.id
        # The decision note below documents the change (tier, score, limit, next review):
        # no tracking message besides it in the customer's chatter.
        partner.with_context(tracking_disable=True).write(vals)
        self.write(
            {
                "state": "confirmed",
                "confirmed_by_id": self.env.uid,
                "confirm_date": fields.Datetime.now(),
                "previous_tier_id": previous_tier.id,
                "credit_limit": partner.credit_limit,
                "next_review_date": next_review,
            }
        )
        limit = format_amount(self.env, partner.credit_limit, company.currency_id)
        values = {
            "assessment": self._get_html_link(),
            "before": previous_tier.display_name or self.env._("none"),
            "after": tier.display_name,
            "score": self.score,
            "limit": limit,
            "review": format_date(self.env, next_review),
        }
        body = (
            self.env._(
                "Credit assessment %(assessment)s confirmed: tier %(before)s → %(after)s, "
                "score %(score)s, manual credit limit %(limit)s kept, next review on "
                "%(review)s.",
                **values,
            )
            if partner.risk_limit_manual
            else self.env._(
                "Credit assessment %(assessment)s confirmed: tier %(before)s → %(after)s, "
                "score %(score)s, credit limit %(limit)s, next review on %(review)s.",
                **values,
            )
        )
        return body

    def action_cancel(self):
        self._check_officer()
        self._check_draft()
        self.write({"state": "cancelled"})
        self.activity_unlink([TASK_ACTIVITY_TYPE])
        return True

    def action_draft(self):
        self._check_officer()
        if any(a.state != "cancelled" for a in self):
            raise UserError(self.env._("Only cancelled credit assessments go back to draft."))
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------------ figures

    def _gather_figures(self, company, date):
        """Figures of the customers of ``self`` in ``company`` over the 12 months up to
        ``date``: {partner id: {factor type or figure: value or None}}.

        One query or ``_read_group`` per figure for the whole batch; amounts in company
        currency. A factor whose value is None is left out of the score.
        """
        return self._risk_figures(self.partner_id, company, date)

    @api.model
    def _risk_figures(self, partners, company, date):
        """``_gather_figures`` of the customers ``partners``."""
        partners = partners.sudo().with_company(company)
        start = date - relativedelta(months=12)
        members = partners.with_context(active_test=False).search(
            [("commercial_partner_id", "in", partners.ids)]
        )
        paid = self._fetch_paid_invoices(company, start, date, members.ids)
        Move = self.env["account.move"].sudo()
        move_domain = [("partner_id", "in", members.ids), ("company_id", "=", company.id)]
        first_invoice = dict(
            Move._read_group(
                [
                    *move_domain,
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("invoice_date", "<=", date),
                ],
                ["commercial_partner_id"],
                ["invoice_date:min"],
            )
        )
        sales = dict(
            Move._read_group(
                [
                    *move_domain,
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("invoice_date", ">", start),
                    ("invoice_date", "<=", date),
                ],
                ["commercial_partner_id"],
                ["amount_untaxed_signed:sum"],
            )
        )
        exposure = partners._risk_exposure_parts(company, date)
        included = partners._risk_exposure_settings(company)
        ratings = partners._risk_external_rating(company, date)
        statements = partners._risk_financial_ratio_points(company, date)
        agency = partners._risk_agency_limit(company, date)
        result = {}
        for partner in partners:
            exp = exposure[partner.id]
            open_total = exp.open_not_due + exp.overdue
            exposure_total = exp.total(included)
            first = first_invoice.get(partner) or partner.create_date.date()
            screening = partner.risk_screening_state or "none"
            result[partner.id] = {
                "payment_delay": _round(tools.payment_delay(paid[partner.id])),
                # Nothing open means nothing overdue: a fact, not a missing figure.
                "overdue_ratio": _round(
                    tools.ratio_percent(max(exp.overdue, 0.0), open_total, default=0.0)
                ),
                # Without a limit, utilization means nothing: left out.
                "credit_utilization": _round(
                    tools.ratio_percent(exposure_total, partner.credit_limit)
                ),
                "relationship_age": tools.months_between(first, date),
                "sales_volume": _round(sales.get(partner, 0.0)),
                "external_rating": ratings.get(partner.id),
                "financial_ratios": statements.get(partner.id),
                "screening": tools.SCREENING_VALUES.get(screening),
                "period_start": start,
                "period_end": date,
                "currency": company.currency_id.name,
                "paid_invoices_amount": _round(sum(amount for amount, _days in paid[partner.id])),
                "open_receivables": _round(open_total),
                "overdue_receivables": _round(exp.overdue),
                "exposure": _round(exposure_total),
                "credit_limit": _round(partner.credit_limit),
                "first_invoice_date": first_invoice.get(partner),
                "screening_state": screening,
                "agency_limit": agency.get(partner.id),
            }
        return result

    @api.model
    def _fetch_paid_invoices(self, company, start, end, partner_ids):
        """(amount, days paid late) of the customer invoices fully paid in (start, end],
        per commercial partner; paid on the latest reconciliation of the receivable line,
        summed by days late so the rows stay few."""
        self.env["account.move.line"].flush_model(
            [
                "move_id",
                "partner_id",
                "account_id",
                "company_id",
                "reconciled",
                "parent_state",
                "balance",
                "date_maturity",
                "date",
            ]
        )
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id AS partner_id,
                       GREATEST(paid.paid_date - COALESCE(aml.date_maturity, aml.date), 0)
                           AS days_late,
                       SUM(aml.balance) AS amount
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 CROSS JOIN LATERAL (
                       SELECT MAX(apr.max_date) AS paid_date
                         FROM account_partial_reconcile apr
                        WHERE apr.debit_move_id = aml.id
                 ) paid
                 WHERE aml.partner_id = ANY(%(partners)s)
                   AND aml.company_id = %(company)s
                   AND aml.reconciled
                   AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND move.move_type = 'out_invoice'
                   AND paid.paid_date > %(start)s
                   AND paid.paid_date <= %(end)s
                 GROUP BY 1, 2
                """,
                partners=partner_ids,
                company=company.id,
                start=start,
                end=end,
            )
        )
        paid = defaultdict(list)
        for partner_id, days_late, amount in self.env.cr.fetchall():
            paid[partner_id].append((amount, days_late))
        return paid

    # ------------------------------------------------------------------ periodic reviews

    @api.model
    def _cron_periodic_assessments(self, chunk_size=500):
        """Assess every customer whose review date has come, company by company, chunk by
        chunk (figures fetched for the whole chunk, assessments and their lines created
        together); each chunk commits. A customer with a draft assessment, or already given
        a periodic assessment today, is skipped, so a crash or a second run does nothing
        twice; a customer whose assessment fails is left for the next run without stopping
        the others. Each reviewer then gets one summary of the run."""
        today = fields.Date.context_today(self)
        done = 0
        summaries = defaultdict(list)
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            scorecard = self.env["customer.risk.scorecard"]._default_for_company(company)
            if not scorecard.factor_ids:
                continue
            responsible = self._review_responsible(company)
            counts = defaultdict(int)
            failed, refused = [], 0
            while partner_ids := self._periodic_todo(company, today, chunk_size, failed):
                try:
                    chunk_counts, chunk_failed = self._periodic_chunk(
                        company, scorecard, partner_ids, today, responsible
                    )
                except psycopg2.errors.SerializationFailure:
                    # Another transaction committed, after this one's snapshot, a change
                    # the chunk must also write (a decision chained in the company's audit
                    # log): the chunk starts again in a new transaction, which sees it.
                    self.env.cr.rollback()
                    refused += 1
                    if refused < 5:
                        continue
                    _logger.info(
                        "Periodic credit assessments of %s customers in company %s were "
                        "refused 5 times by concurrent transactions; the next run assesses "
                        "them.",
                        len(partner_ids),
                        company.id,
                    )
                    chunk_counts, chunk_failed = {}, partner_ids
                refused = 0
                failed += chunk_failed
                for key, value in chunk_counts.items():
                    counts[key] += value
                done += len(partner_ids)
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                # Batch job: commit per chunk so a crash keeps the work done (design rule).
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if counts:
                summaries[responsible].append((company, counts))
        for reviewer, lines in summaries.items():
            self._periodic_notify(reviewer, today, lines)
        self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _periodic_chunk(self, company, scorecard, partner_ids, today, responsible):
        """Assess the customers ``partner_ids`` together, or one by one when that fails:
        returns the counts of what was done and the ids of the customers whose assessment
        failed (logged; the next run tries them again). A serialization failure is raised:
        no savepoint gets past it (see ``_cron_periodic_assessments``)."""
        try:
            with self.env.cr.savepoint():
                return self._periodic_assess(
                    company, scorecard, partner_ids, today, responsible
                ), []
        except psycopg2.errors.SerializationFailure:
            raise
        except Exception:  # one customer must not stop the others
            _logger.info(
                "Periodic credit assessments of %s customers in company %s failed together; "
                "each one is retried alone.",
                len(partner_ids),
                company.id,
                exc_info=True,
            )
        counts, failed = defaultdict(int), []
        for partner_id in partner_ids:
            try:
                with self.env.cr.savepoint():
                    one = self._periodic_assess(
                        company, scorecard, [partner_id], today, responsible
                    )
            except psycopg2.errors.SerializationFailure:
                raise
            except Exception:  # logged, retried next run
                _logger.exception(
                    "Periodic credit assessment of partner %s in company %s failed",
                    partner_id,
                    company.id,
                )
                failed.append(partner_id)
                counts["failed"] += 1
            else:
                for key, value in one.items():
                    counts[key] += value
        return counts, failed

    @api.model
    def _periodic_assess(self, company, scorecard, partner_ids, today, responsible):
        """Create the computed periodic assessments of the customers ``partner_ids`` in one
        batch and submit them: confirmed at once where the company applies assessments
        automatically or where nothing would change (tier, credit limit and payment terms
        stay: only the score and the next review date move), a To-Do for the reviewer
        where a person must decide. Returns the counts of each outcome."""
        figures = self._risk_figures(self.env["res.partner"].browse(partner_ids), company, today)
        factors = scorecard.factor_ids
        bands = {factor: factor._bands() for factor in factors}
        # No creation note nor the job's user as follower on each assessment: the job
        # reports to the reviewer once per run.
        assessments = self.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(
            [
                {
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "scorecard_id": scorecard.id,
                    "date": today,
                    "kind": "periodic",
                    **self._figures_vals(figures[partner_id]),
                }
                for partner_id in partner_ids
            ]
        )
        # The chunk's breakdown lines in one statement (the ORM would create them one
        # by one: most of a chunk's time), then the scores computed from them.
        self.env["customer.risk.assessment.line"]._risk_insert(
            [
                {
                    "assessment_id": assessment.id,
                    "company_id": company.id,
                    "factor_id": factor.id,
                    "sequence": factor.sequence,
                    **self._factor_line_vals(
                        factor, figures[assessment.partner_id.id], bands[factor]
                    ),
                }
                for assessment in assessments
                for factor in factors
            ]
        )
        assessments.invalidate_recordset(["line_ids"])
        assessments.modified(["line_ids"])
        assessments = self.browse(assessments.ids)  # the job's own context again
        ready = assessments.filtered(
            lambda a: a.proposed_tier_id and any(a.line_ids.mapped("counted"))
        )
        if company.risk_auto_apply_assessments:
            auto, unchanged = ready, self.browse()
        else:
            auto, unchanged = self.browse(), ready.filtered(lambda a: not a._risk_changes())
        auto._risk_confirm_automatically()
        if unchanged:
            unchanged.sudo().action_confirm()
            unchanged._risk_log_notes(
                [
                    (
                        assessment.id,
                        self.env._(
                            "Confirmed automatically by the periodic review: tier %(tier)s, its "
                            "credit limit and payment terms stay as they are.",
                            tier=assessment.tier_id.display_name,
                        ),
                    )
                    for assessment in unchanged
                ]
            )
        to_review = assessments - auto - unchanged
        to_review._risk_schedule_todos(
            self.env._("Review the periodic credit assessment"), today, responsible
        )
        return {
            "assessed": len(assessments),
            "to_review": len(to_review),
            "confirmed": len(auto) + len(unchanged),
        }

    def _risk_changes(self):
        """Whether confirming this draft would change the customer's tier, credit limit or
        payment terms."""
        self.ensure_one()
        partner = self.partner_id.sudo().with_company(self.company_id)
        tier = self.tier_id
        if partner.risk_tier_id != tier:
            return True
        if tier.payment_term_id and tier.payment_term_id != partner.property_payment_term_id:
            return True
        if partner.risk_limit_manual:
            return False
        return (
            self.currency_id.compare_amounts(self._tier_credit_limit(), partner.credit_limit) != 0
        )

    def _tier_credit_limit(self):
        """The credit limit this assessment's tier gives the customer."""
        self.ensure_one()
        return self.tier_id._tier_limit(
            sales_12m=self.sales_12m, agency_limit=self.agency_limit or None
        )

    def _risk_schedule_todos(self, summary, deadline, user):
        """One To-Do per assessment of ``self`` for ``user``, created together and without
        an email per To-Do (the run sends its reviewer one summary instead)."""
        if not self:
            return self.env["mail.activity"]
        activity_type = self.env.ref(TASK_ACTIVITY_TYPE)
        model_id = self.env["ir.model"]._get_id(self._name)
        return (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": assessment.id,
                        "activity_type_id": activity_type.id,
                        "summary": summary,
                        "note": activity_type.default_note,
                        "automated": True,
                        "date_deadline": deadline,
                        "user_id": user.id,
                    }
                    for assessment in self
                ]
            )
        )

    @api.model
    def _periodic_notify(self, reviewer, today, lines):
        """One message to ``reviewer`` summing up the periodic run of ``today``: per company
        ``lines`` [(company, counts)], how many customers were assessed, how many wait for
        a decision and how many were confirmed or failed."""
        items = Markup().join(
            Markup("<li>{}</li>").format(
                self.env._(
                    "%(company)s: %(assessed)s customers assessed, %(to_review)s waiting for "
                    "your decision (To-Dos), %(confirmed)s confirmed automatically, "
                    "%(failed)s could not be assessed (retried next run).",
                    company=company.name,
                    assessed=counts["assessed"],
                    to_review=counts["to_review"],
                    confirmed=counts["confirmed"],
                    failed=counts["failed"],
                )
            )
            for company, counts in lines
        )
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=reviewer.partner_id.ids,
            subject=self.env._("Periodic credit reviews of %(date)s", date=today),
            body=Markup("<ul>{}</ul>").format(items),
            author_id=self.env.ref("base.partner_root").id,
        )

    def _risk_submit(self, summary):
        """Hand computed assessments of the monitoring to their decider: where the company
        applies them automatically and the score proposes a tier, they are confirmed now and
        say so in their chatter; the others wait for the reviewer with a To-Do."""
        today = fields.Date.context_today(self)
        for company, batch in self.grouped("company_id").items():
            auto = batch.filtered(
                lambda a, c=company: c.risk_auto_apply_assessments
                and a.proposed_tier_id
                and any(a.line_ids.mapped("counted"))
            )
            auto._risk_confirm_automatically()
            responsible = self._review_responsible(company)
            for assessment in batch - auto:
                assessment.activity_schedule(
                    TASK_ACTIVITY_TYPE,
                    date_deadline=today,
                    summary=summary,
                    user_id=responsible.id,
                )

    def _risk_confirm_automatically(self):
        """Confirm ``self`` as the company's setting Apply Assessments Automatically asks,
        and say so in their chatter."""
        if not self:
            return
        self.sudo().action_confirm()
        self._risk_log_notes(
            [
                (
                    assessment.id,
                    self.env._(
                        "Confirmed automatically by the credit monitoring, as the company's "
                        "setting Apply Assessments Automatically asks: tier %(before)s → "
                        "%(after)s.",
                        before=assessment.previous_tier_id.display_name or self.env._("none"),
                        after=assessment.tier_id.display_name,
                    ),
                )
                for assessment in self
            ]
        )

    @api.model
    def _risk_event_assessments(self, company, today, reasons):
        """Draft and compute an event assessment in ``company`` for each customer of
        ``reasons`` ({partner id: [why]}), then submit them (``_risk_submit``). A customer
        with a draft assessment, or an event assessment of ``today``, gets the reasons in
        that assessment's chatter instead: never two assessments for one event."""
        reasons = {pid: why for pid, why in reasons.items() if why}
        if not reasons or not self.env["customer.risk.scorecard"]._default_for_company(company):
            return self.browse()
        waiting = self.search(
            [
                ("partner_id", "in", list(reasons)),
                ("company_id", "=", company.id),
                "|",
                ("state", "=", "draft"),
                "&",
                ("kind", "=", "event"),
                ("date", "=", today),
            ]
        )
        for partner, found in waiting.grouped("partner_id").items():
            found[:1]._risk_post_reasons(reasons[partner.id])
        assessments = self.create(
            [
                {"partner_id": pid, "company_id": company.id, "date": today, "kind": "event"}
                for pid in reasons
                if pid not in waiting.partner_id.ids
            ]
        )
        assessments.action_compute()
        for assessment in assessments:
            assessment._risk_post_reasons(reasons[assessment.partner_id.id])
        assessments._risk_submit(self.env._("Review the event credit assessment"))
        return assessments

    def _risk_post_reasons(self, reasons):
        self.ensure_one()
        self._risk_post(
            body=Markup("{}<ul>{}</ul>").format(
                self.env._("Events calling for a new assessment:"),
                Markup().join(Markup("<li>{}</li>").format(reason) for reason in reasons),
            ),
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _periodic_todo(self, company, today, limit, exclude=()):
        """Customers of ``company`` due for review, without a draft assessment and not yet
        given a periodic assessment ``today`` (a review interval of 0 months leaves them due),
        except ``exclude``; locked with SKIP LOCKED so two runs share the work."""
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "active", "company_id", "risk_review_date"]
        )
        self.flush_model(["partner_id", "company_id", "state", "kind", "date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM res_partner p
                 WHERE p.id = p.commercial_partner_id
                   AND p.active
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND (p.risk_review_date ->> %(key)s)::date <= %(today)s
                   AND p.id != ALL(%(exclude)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM customer_risk_assessment a
                        WHERE a.partner_id = p.id
                          AND a.company_id = %(company)s
                          AND (a.state = 'draft'
                               OR (a.kind = 'periodic' AND a.date = %(today)s)))
                 ORDER BY p.id
                 LIMIT %(limit)s
                   FOR UPDATE OF p SKIP LOCKED
                """,
                company=company.id,
                key=str(company.id),
                today=today,
                exclude=list(exclude),
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _review_responsible(self, company):
        """Who reviews periodic assessments: the first credit officer of the company who is
        not an administrator, else the first officer, else the administrator."""
        officers = self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref("customer_risk.group_risk_officer").id),
                ("company_ids", "in", company.id),
                ("share", "=", False),
            ],
            order="id",
        )
        return (officers.filtered(lambda u: not u._is_admin()) or officers)[:1] or self.env.ref(
            "base.user_admin"
        )


def _round(value):
    """Figures are shown to people: two decimals are enough."""
    return None if value is None else round(value, 2)
