from collections import defaultdict
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, formatLang

from .. import tools

SCREENING_STATES = [
    ("none", "Not screened"),
    ("in_progress", "In progress"),
    ("approved", "Approved"),
    ("conditional", "Conditional"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
]


# 2**-50: the tolerance ``odoo.tools.float_round`` adds, relative to the value, before it
# rounds (so that 2.675 rounds to 2.68 as a person expects).
_FLOAT_ROUND_EPSILON = 2.0**-50

# The exposure statement for a few customers (the credit check, a customer's form) as a
# database function: PostgreSQL keeps its plan per connection instead of planning the
# statement at every confirmation. Created at installation and upgrade, dropped at
# uninstallation (hooks).
EXPOSURE_FUNCTION = "customer_risk_exposure"
EXPOSURE_FUNCTION_ARGS = (
    ("p_partners", "int[]"),
    ("p_today", "date"),
    ("p_company", "int"),
    ("p_checked", "int[]"),
    ("p_qty_rounding", "float8"),
)
EXPOSURE_FUNCTION_SIGNATURE = "{}({})".format(
    EXPOSURE_FUNCTION, ", ".join(kind for _name, kind in EXPOSURE_FUNCTION_ARGS)
)


class ExposureArgs(NamedTuple):
    """What the exposure statement depends on: values, or SQL in the function's definition
    (the arguments' names, then what the function reads of the company itself)."""

    partners: Any  # commercial partner ids
    today: Any
    company: Any  # company id
    checked: Any  # ids of the orders being checked
    qty_rounding: Any  # rounding of quantities
    root: Any  # id of the root of the company tree (currency rates)
    currency: Any  # company currency id
    rounding: Any  # company currency rounding


# In the function, the company's root, currency and rounding are variables it reads from
# the company first.
_FUNCTION_COMPANY_ARGS = (SQL("v_root"), SQL("v_currency"), SQL("v_rounding"))


def _sql_round(value, rounding):
    """SQL of ``odoo.tools.float_round(value, precision_rounding=rounding)`` (half-up) in
    double precision: normalized by the inverted rounding below 1, nudged by the relative
    epsilon, rounded to even like Python's ``round`` (PostgreSQL's double ``round``)."""
    return SQL(
        """(CASE WHEN (%(r)s) < 1
                 THEN round((%(v)s) * (1.0 / (%(r)s)) * (1.0 + %(eps)s)) / (1.0 / (%(r)s))
                 ELSE round((%(v)s) / (%(r)s) * (1.0 + %(eps)s)) * (%(r)s) END)""",
        v=value,
        r=rounding,
        eps=_FLOAT_ROUND_EPSILON,
    )


def _sql_rate(currency, today, root_id):
    """SQL of ``currency``'s rate on ``today`` as Odoo's ``res.currency._get_rates`` reads
    it for the company tree rooted at ``root_id``: the latest rate on or before the day
    (the company's own before the shared one), else the earliest one, else 1."""
    return SQL(
        """COALESCE(
               (SELECT r.rate FROM res_currency_rate r
                 WHERE r.currency_id = %(currency)s AND r.name <= %(today)s
                   AND (r.company_id IS NULL OR r.company_id = %(root)s)
                 ORDER BY r.company_id, r.name DESC LIMIT 1),
               (SELECT r.rate FROM res_currency_rate r
                 WHERE r.currency_id = %(currency)s
                   AND (r.company_id IS NULL OR r.company_id = %(root)s)
                 ORDER BY r.company_id, r.name ASC LIMIT 1),
               1.0)::float8""",
        today=today,
        root=root_id,
        currency=currency,
    )


def _sql_round_up(value, rounding):
    """SQL of ``float_round(value, precision_rounding=rounding, rounding_method='UP')``."""
    return SQL(
        """(CASE WHEN (%(r)s) < 1
                 THEN trunc((%(v)s) * (1.0 / (%(r)s))
                            + sign(%(v)s) * (1.0 - abs((%(v)s) * (1.0 / (%(r)s))) * %(eps)s))
                      / (1.0 / (%(r)s))
                 ELSE trunc((%(v)s) / (%(r)s)
                            + sign(%(v)s) * (1.0 - abs((%(v)s) / (%(r)s)) * %(eps)s))
                      * (%(r)s) END)""",
        v=value,
        r=rounding,
        eps=_FLOAT_ROUND_EPSILON,
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Risk profile, per company (like Odoo's own credit_limit).
    risk_tier_id = fields.Many2one(
        "customer.risk.tier",
        company_dependent=True,
        tracking=True,
        groups="customer_risk.group_risk_user",
    )
    risk_score = fields.Float(
        company_dependent=True,
        digits=(5, 1),
        groups="customer_risk.group_risk_user",
        help="Score 0-100 of the last confirmed assessment; higher is safer.",
    )
    risk_hold = fields.Boolean(
        string="Credit Hold",
        company_dependent=True,
        tracking=True,
        groups="customer_risk.group_risk_user",
        help="Blocks every order of this customer until a credit manager lifts it.",
    )
    risk_hold_reason = fields.Char(
        string="Hold Reason", company_dependent=True, groups="customer_risk.group_risk_user"
    )
    risk_limit_manual = fields.Boolean(
        string="Manual Limit",
        company_dependent=True,
        tracking=True,
        groups="customer_risk.group_risk_user",
        help="The credit limit was set by a credit manager: assessments keep it.",
    )
    risk_limit_reason = fields.Char(
        string="Limit Reason", company_dependent=True, groups="customer_risk.group_risk_user"
    )
    risk_review_date = fields.Date(
        string="Next Review",
        company_dependent=True,
        tracking=True,
        groups="customer_risk.group_risk_user",
    )
    risk_screening_state = fields.Selection(
        SCREENING_STATES,
        string="Screening",
        company_dependent=True,
        groups="customer_risk.group_risk_user",
    )
    # Snapshot figures for lists, search and sorting, refreshed by a batch job and after
    # invoices, payments and orders change; the credit check never reads them.
    risk_exposure = fields.Float(
        string="Exposure", company_dependent=True, groups="customer_risk.group_risk_user"
    )
    risk_available_credit = fields.Float(
        string="Available Credit", company_dependent=True, groups="customer_risk.group_risk_user"
    )
    risk_overdue_amount = fields.Float(
        string="Overdue Amount", company_dependent=True, groups="customer_risk.group_risk_user"
    )
    risk_max_days_overdue = fields.Integer(
        string="Oldest Overdue (Days)",
        company_dependent=True,
        groups="customer_risk.group_risk_user",
    )
    risk_snapshot_date = fields.Datetime(
        string="Figures As Of", company_dependent=True, groups="customer_risk.group_risk_user"
    )
    risk_over_limit = fields.Boolean(
        compute="_compute_risk_over_limit",
        search="_search_risk_over_limit",
        groups="customer_risk.group_risk_user",
    )
    # Fresh figures for the form of one customer (computed on read, never stored).
    risk_live_open_not_due = fields.Monetary(
        string="Open, Not Due",
        compute="_compute_risk_live",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
    )
    risk_live_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_risk_live",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
    )
    risk_live_draft_invoices = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_risk_live",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
    )
    risk_live_uninvoiced_orders = fields.Monetary(
        string="Uninvoiced Orders",
        compute="_compute_risk_live",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
    )
    risk_live_exposure = fields.Monetary(
        string="Current Exposure",
        compute="_compute_risk_live",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
    )
    risk_live_available_credit = fields.Monetary(
        string="Current Available Credit",
        compute="_compute_risk_live",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
    )
    risk_live_utilization = fields.Float(
        string="Credit Utilization",
        compute="_compute_risk_live",
        groups="customer_risk.group_risk_user",
        help="Current exposure as a percentage of the credit limit.",
    )
    risk_credit_limit = fields.Monetary(
        string="Credit Limit (Risk)",
        compute="_compute_risk_credit_limit",
        currency_field="risk_company_currency_id",
        groups="customer_risk.group_risk_user",
        help="The customer's credit limit in this company, shown to the whole credit team.",
    )
    risk_company_currency_id = fields.Many2one(
        "res.currency", compute="_compute_risk_company_currency_id"
    )
    risk_assessment_ids = fields.One2many(
        "customer.risk.assessment",
        "partner_id",
        string="Credit Assessments",
        groups="customer_risk.group_risk_user",
    )
    risk_assessment_count = fields.Integer(
        compute="_compute_risk_assessment_count", groups="customer_risk.group_risk_user"
    )
    risk_alert_ids = fields.One2many(
        "customer.risk.alert",
        "partner_id",
        string="Early-Warning Alerts",
        groups="customer_risk.group_risk_user",
    )
    risk_alert_count = fields.Integer(
        string="Open Alerts",
        compute="_compute_risk_alert_count",
        groups="customer_risk.group_risk_user",
    )
    risk_contract_ids = fields.One2many(
        "customer.risk.contract",
        "partner_id",
        string="Contracts",
        groups="customer_risk.group_risk_user",
    )
    risk_contract_count = fields.Integer(
        compute="_compute_risk_contract_count", groups="customer_risk.group_risk_user"
    )
    # Technical: what the continuous monitoring saw at its previous run, per company; the
    # next run compares with it to detect events (tier drop, overdue jump, expiry).
    risk_monitor_date = fields.Datetime(company_dependent=True, groups="base.group_system")
    risk_monitor_overdue = fields.Float(company_dependent=True, groups="base.group_system")
    risk_monitor_tier_id = fields.Many2one(
        "customer.risk.tier", company_dependent=True, groups="base.group_system"
    )
    risk_monitor_screening = fields.Selection(
        SCREENING_STATES, company_dependent=True, groups="base.group_system"
    )
    risk_screening_count = fields.Integer(
        compute="_compute_risk_due_diligence_counts", groups="customer_risk.group_risk_officer"
    )
    risk_credit_report_count = fields.Integer(
        compute="_compute_risk_due_diligence_counts", groups="customer_risk.group_risk_officer"
    )
    risk_financial_statement_count = fields.Integer(
        compute="_compute_risk_due_diligence_counts", groups="customer_risk.group_risk_officer"
    )
    # Technical: the credit check writes this to the customer's row so that two concurrent
    # confirmations for one customer cannot both pass (see sale.order._risk_lock_partners).
    risk_release_count = fields.Integer(
        compute="_compute_risk_release_count", groups="customer_risk.group_risk_user"
    )
    risk_check_count = fields.Integer(readonly=True, copy=False, groups="base.group_system")

    # ------------------------------------------------------------------ security

    @api.model
    def _risk_protected_fields(self):
        """Fields only the credit team may write, with the group each needs.

        Satellite addons extend this dict with ``super()``.
        """
        manager = "customer_risk.group_risk_manager"
        officer = "customer_risk.group_risk_officer"
        return {
            "credit_limit": manager,
            "use_partner_credit_limit": manager,
            "risk_limit_manual": manager,
            "risk_limit_reason": manager,
            "risk_hold": manager,
            "risk_hold_reason": manager,
            "risk_tier_id": officer,
            "risk_score": officer,
            "risk_review_date": officer,
            "risk_screening_state": officer,
            "risk_exposure": officer,
            "risk_available_credit": officer,
            "risk_overdue_amount": officer,
            "risk_max_days_overdue": officer,
            "risk_snapshot_date": officer,
        }

    def _risk_check_write_access(self, vals):
        """Refuse protected fields to users outside the credit team, whatever the path
        (form, import, RPC) and whatever the context says. Only server code that
        deliberately elevated with ``sudo()`` passes."""
        if self.env.su:
            return
        protected = self._risk_protected_fields()
        for name in vals:
            group = protected.get(name)
            if group and not self.env.user.has_group(group):
                field = self._fields[name]
                raise AccessError(
                    self.env._(
                        "Only %(group)s may change %(field)s of a customer.",
                        group=self.env.ref(group).name,
                        field=field._description_string(self.env),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._risk_check_write_access(vals)
            self._risk_prepare_limit_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._risk_check_write_access(vals)
        vals = dict(vals)
        self._risk_prepare_limit_vals(vals)
        if "risk_hold" in vals:
            self._risk_check_hold_vals(vals)
        return super().write(vals)

    def _risk_prepare_limit_vals(self, vals):
        """A limit typed by a person is a manual limit and needs a reason."""
        if self.env.su or "credit_limit" not in vals:
            return
        vals.setdefault("risk_limit_manual", True)
        reason = vals.get("risk_limit_reason")
        if not reason and not all(p.sudo().risk_limit_reason for p in self):
            raise UserError(
                self.env._("Give a reason for the manual credit limit (field Limit Reason).")
            )

    def _risk_check_hold_vals(self, vals):
        if vals["risk_hold"] and not (
            vals.get("risk_hold_reason") or all(p.sudo().risk_hold_reason for p in self)
        ):
            raise UserError(self.env._("Give a reason for the credit hold."))
        if not vals["risk_hold"]:
            vals.setdefault("risk_hold_reason", False)

    def _compute_risk_release_count(self):
        counts = dict(
            self.env["customer.risk.release"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.risk_release_count = counts.get(partner.commercial_partner_id, 0)

    def action_risk_view_releases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_release_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ exposure

    @api.depends_context("company")
    def _compute_risk_credit_limit(self):
        for partner in self:
            partner.risk_credit_limit = partner.sudo().commercial_partner_id.credit_limit

    def _compute_risk_company_currency_id(self):
        self.risk_company_currency_id = self.env.company.currency_id

    @api.model
    def _risk_exposure_settings(self, company):
        """Parts of the exposure the company counts (settings)."""
        return tuple(part for part in tools.EXPOSURE_PARTS if company[f"risk_include_{part}"])

    def _risk_exposure_parts(self, company, today, exclude_orders=None):
        """Fresh exposure of commercial partners ``self`` in ``company``'s currency.

        One SQL statement for the whole batch (see ``_risk_exposure_figures``); returns
        {partner id: ExposureParts}. ``exclude_orders`` (the orders being checked) never
        count twice.
        """
        return self._risk_exposure_figures(company, today, exclude_orders)[0]

    def _risk_exposure_figures(self, company, today, checked_orders=None):
        """Fresh exposure of commercial partners ``self`` in ``company``'s currency, and
        what each of ``checked_orders`` will add to it once confirmed.

        Returns ({partner id: ExposureParts}, {order id: amount}) from one SQL statement:
        receivables count at their accounting rate (company-currency amounts of the
        journal items); draft invoices not made from an order at their company-currency
        total; confirmed orders by Odoo's ``sale.order.amount_to_invoice`` (computed the
        way sale computes it, see ``_risk_uninvoiced_sql``), converted once per order at
        ``today``'s rate. ``checked_orders`` are left out of the parts whatever their state;
        their own amounts to invoice, as if confirmed, come apart.
        """
        self.fetch(["commercial_partner_id"])
        commercial = self.commercial_partner_id
        result = {p.id: tools.ExposureParts() for p in commercial}
        order_amounts = {}
        if not commercial:
            return result, order_amounts
        self._risk_exposure_flush()
        checked = list(checked_orders.ids) if checked_orders else []
        if len(commercial) <= self._RISK_LITERAL_PARTNERS:
            # The function reads the company's currency and rates itself.
            query = SQL(
                "SELECT * FROM %s(%s)",
                SQL.identifier(EXPOSURE_FUNCTION),
                SQL(", ").join(
                    SQL("%s", value)
                    for value in self._risk_function_args(company, today, commercial.ids, checked)
                ),
            )
        else:
            query = self._risk_exposure_sql(
                self._risk_exposure_args(company, today, commercial.ids, checked), few=False
            )
        self.env.cr.execute(query)
        for (
            partner_id,
            order_id,
            not_due,
            overdue,
            max_days,
            drafts,
            orders,
        ) in self.env.cr.fetchall():
            if order_id:
                order_amounts[order_id] = orders or 0.0
                continue
            result[partner_id] = tools.ExposureParts(
                open_not_due=not_due or 0.0,
                overdue=overdue or 0.0,
                draft_invoices=drafts or 0.0,
                uninvoiced_orders=orders or 0.0,
                max_days_overdue=int(max_days or 0),
            )
        return result, order_amounts

    def _risk_exposure_flush(self):
        """Write to the database what the exposure statement reads."""
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["account.account"].flush_model(["account_type", "company_ids"])
        self.env["account.move"].flush_model(
            [
                "state",
                "move_type",
                "company_id",
                "partner_id",
                "amount_total_signed",
                "payment_state",
            ]
        )
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "partner_id",
                "reconciled",
                "amount_residual",
                "date_maturity",
                "parent_state",
                "company_id",
                "date",
                "move_id",
                "quantity",
                "product_uom_id",
            ]
        )
        self.env["sale.order"].flush_model(
            ["company_id", "partner_id", "state", "invoice_status", "currency_id"]
        )
        self.env["sale.order.line"].flush_model(
            [
                "order_id",
                "product_id",
                "product_uom",
                "product_uom_qty",
                "qty_delivered",
                "price_total",
                "invoice_lines",
            ]
        )
        self.env["product.product"].flush_model(["product_tmpl_id"])
        self.env["product.template"].flush_model(["invoice_policy"])
        self.env["res.currency"].flush_model(["rounding"])
        self.env["res.currency.rate"].flush_model(["rate", "name", "company_id", "currency_id"])

    @api.model
    def _risk_function_args(self, company, today, partner_ids, checked_ids):
        """The exposure function's arguments (``EXPOSURE_FUNCTION_ARGS``) for commercial
        partners ``partner_ids`` in ``company``."""
        precision = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        return (list(partner_ids), today, company.id, list(checked_ids), 10**-precision)

    @api.model
    def _risk_exposure_args(self, company, today, partner_ids, checked_ids):
        """``ExposureArgs``: the function's arguments, then what it reads of the company."""
        return ExposureArgs(
            *self._risk_function_args(company, today, partner_ids, checked_ids),
            # The rates of the company's root, as res.currency._get_rates takes them (from
            # the stored path: the computed root_id costs a read of the companies).
            root=int((company.parent_path or str(company.id)).split("/")[0]),
            currency=company.currency_id.id,
            rounding=company.currency_id.rounding,
        )

    def init(self):
        res = super().init()
        self._risk_create_exposure_function()
        return res

    @api.model
    def _risk_create_exposure_function(self):
        """(Re)create the exposure function from the statement this code builds."""
        args = ExposureArgs(
            *(SQL(name) for name, _kind in EXPOSURE_FUNCTION_ARGS), *_FUNCTION_COMPANY_ARGS
        )
        statement = self._risk_exposure_sql(args, few=True)
        body = self.env.cr.mogrify(statement.code, statement.params).decode()
        cr = self.env.cr
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL(EXPOSURE_FUNCTION_SIGNATURE)))
        cr.execute(
            SQL(
                """CREATE FUNCTION %(name)s(%(args)s)
                   RETURNS TABLE (out_partner int, out_order int, out_not_due numeric,
                                  out_overdue numeric, out_max_days int, out_drafts numeric,
                                  out_orders float8)
                   LANGUAGE plpgsql STABLE AS $exposure$
                   #variable_conflict use_column
                   DECLARE
                       v_root int;
                       v_currency int;
                       v_rounding float8;
                   BEGIN
                       SELECT COALESCE(NULLIF(split_part(c.parent_path, '/', 1), '')::int, c.id),
                              c.currency_id, cur.rounding
                         INTO v_root, v_currency, v_rounding
                         FROM res_company c
                         JOIN res_currency cur ON cur.id = c.currency_id
                        WHERE c.id = p_company;
                       RETURN QUERY
                       SELECT e.a::int, e.b::int, e.c::numeric, e.d::numeric, e.f::int,
                              e.g::numeric, e.h::float8
                         FROM (%(body)s) AS e(a, b, c, d, f, g, h);
                   END
                   $exposure$""",
                name=SQL.identifier(EXPOSURE_FUNCTION),
                args=SQL(", ".join(f"{name} {kind}" for name, kind in EXPOSURE_FUNCTION_ARGS)),
                body=SQL(body.replace("%", "%%")),
            )
        )

    @api.model
    def _risk_exposure_sql(self, args, few):
        """The exposure statement of ``args`` (``ExposureArgs``): one row per commercial
        partner (order id NULL) with not due, overdue, oldest overdue days, draft invoices
        and uninvoiced orders, plus one row per checked order with its amount to invoice
        (the last column). ``few``: the form for a few customers (see
        ``_risk_receivable_items_sql``)."""
        due = SQL("COALESCE(aml.date_maturity, aml.date)")
        return SQL(
            """
            WITH members AS (
                SELECT id, commercial_partner_id AS cp
                  FROM res_partner
                 WHERE commercial_partner_id = ANY(%(partners)s)
            ),
            receivables AS (
                SELECT items.cp,
                       SUM(CASE WHEN items.due >= %(today)s THEN items.residual END) AS not_due,
                       SUM(CASE WHEN items.due < %(today)s THEN items.residual END) AS overdue,
                       MAX(CASE WHEN items.due < %(today)s AND items.residual > 0
                                THEN %(today)s - items.due END) AS max_days
                  FROM (%(items)s) items
                 GROUP BY items.cp
            ),
            drafts AS (
                -- Draft customer invoices and refunds not made from a sale order (those
                -- are counted as uninvoiced orders).
                SELECT m.cp, SUM(mv.amount_total_signed) AS amount
                  FROM account_move mv
                  JOIN members m ON m.id = mv.partner_id
                 WHERE mv.partner_id = ANY(ARRAY(SELECT id FROM members))
                   AND mv.state = 'draft'
                   AND mv.move_type IN ('out_invoice', 'out_refund')
                   AND mv.company_id = %(company)s
                   AND NOT EXISTS (
                       SELECT 1
                         FROM account_move_line l
                         JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = l.id
                        WHERE l.move_id = mv.id)
                 GROUP BY m.cp
            ),
            uninvoiced AS (%(uninvoiced)s),
            orders AS (
                SELECT cp, SUM(amount) FILTER (WHERE NOT checked) AS amount
                  FROM uninvoiced
                 GROUP BY cp
            )
            SELECT p.id, NULL::int, r.not_due, r.overdue, r.max_days, d.amount, o.amount
              FROM unnest(%(partners)s::int[]) AS p(id)
              LEFT JOIN receivables r ON r.cp = p.id
              LEFT JOIN drafts d ON d.cp = p.id
              LEFT JOIN orders o ON o.cp = p.id
             UNION ALL
            SELECT cp, id, NULL, NULL, NULL, NULL, amount FROM uninvoiced WHERE checked
            """,
            partners=args.partners,
            due=due,
            items=self._risk_receivable_items_sql(args, few, due),
            today=args.today,
            company=args.company,
            uninvoiced=self._risk_uninvoiced_sql(args),
        )

    # Up to this many customers, their ids go to PostgreSQL as a literal array: it then
    # estimates the open items well and takes Odoo's partial index on unreconciled lines.
    # For a larger batch (the snapshot job's chunks) the same index serves best through
    # the array of members, which it estimates as few rows.
    _RISK_LITERAL_PARTNERS = 20

    @api.model
    def _risk_receivable_items_sql(self, args, few, due):
        """Rows (commercial partner, due date, residual) of the open receivables of the
        ``members`` CTE (commercial partners ``args.partners`` and their contacts)."""
        receivable = SQL(
            """aml.account_id = ANY(ARRAY(
                   SELECT rel.account_account_id
                     FROM account_account_res_company_rel rel
                     JOIN account_account account ON account.id = rel.account_account_id
                    WHERE rel.res_company_id = %(company)s
                      AND account.account_type = 'asset_receivable'))
               AND aml.reconciled IS NOT TRUE
               AND aml.parent_state = 'posted'
               AND aml.company_id = %(company)s""",
            company=args.company,
        )
        if not few:
            return SQL(
                """SELECT m.cp, %(due)s AS due, aml.amount_residual AS residual
                     FROM account_move_line aml
                     JOIN members m ON m.id = aml.partner_id
                    WHERE aml.partner_id = ANY(ARRAY(SELECT id FROM members))
                      AND %(receivable)s""",
                due=due,
                receivable=receivable,
            )
        # Items of the commercial partners themselves (Odoo books receivables on the
        # commercial partner), then those of their contacts (journal entries may).
        return SQL(
            """SELECT aml.partner_id AS cp, %(due)s AS due, aml.amount_residual AS residual
                 FROM account_move_line aml
                WHERE aml.partner_id = ANY(%(partners)s)
                  AND %(receivable)s
                UNION ALL
               SELECT m.cp, %(due)s, aml.amount_residual
                 FROM account_move_line aml
                 JOIN members m ON m.id = aml.partner_id
                WHERE aml.partner_id = ANY(ARRAY(SELECT id FROM members WHERE id != cp))
                  AND %(receivable)s""",
            due=due,
            partners=args.partners,
            receivable=receivable,
        )

    @api.model
    def _risk_uninvoiced_sql(self, args):
        """Rows (order id, commercial partner, checked, amount to invoice in company
        currency) of the confirmed orders of the ``members`` CTE in ``company`` and of the
        checked orders, by Odoo's own definitions, step by step as sale computes them in
        Python: per line ``price_total / product_uom_qty * (ordered or delivered quantity,
        by the product's invoicing policy, - quantity on posted invoices)`` rounded to the
        currency, the posted quantity converted to the line's unit (rounded up) with the
        invoice's direction and rounded to the quantity precision; summed per order and
        rounded; converted at ``today``'s rate of the company's root (Odoo's
        ``res.currency._get_rates``) and rounded to the company currency. Fully invoiced
        orders are skipped, except while their invoice is a draft (as the ORM search did).
        The arithmetic is in double precision like Python's, with ``float_round``'s
        half-up correction."""
        line_currency = SQL("cur.rounding::float8")
        # Odoo's uom._compute_quantity: no unit or no quantity -> as is; otherwise
        # converted by the factors and rounded up to the line unit's rounding.
        invoiced_qty = SQL(
            """CASE WHEN fu.id IS NULL OR COALESCE(il.quantity, 0) = 0
                         THEN COALESCE(il.quantity, 0)::float8
                    WHEN tu.id IS NULL THEN il.quantity::float8 / fu.factor::float8
                    ELSE %(up)s END""",
            up=_sql_round_up(
                SQL(
                    """CASE WHEN fu.id = tu.id THEN il.quantity::float8
                            ELSE il.quantity::float8 / fu.factor::float8 * tu.factor::float8 END"""
                ),
                SQL("tu.rounding::float8"),
            ),
        )
        line_amount = SQL(
            """CASE WHEN COALESCE(sl.product_uom_qty, 0) = 0 THEN 0.0
                    ELSE %(rounded)s END""",
            rounded=_sql_round(
                SQL(
                    """COALESCE(sl.price_total, 0)::float8 / sl.product_uom_qty::float8
                       * ((CASE WHEN pt.invoice_policy = 'delivery'
                                THEN COALESCE(sl.qty_delivered, 0)
                                ELSE sl.product_uom_qty END)::float8
                          - COALESCE(inv.qty, 0.0))"""
                ),
                line_currency,
            ),
        )
        rate = _sql_rate(SQL("x.currency_id"), args.today, args.root)
        company_rate = _sql_rate(args.currency, args.today, args.root)
        return SQL(
            """
            WITH orders AS MATERIALIZED (
                SELECT o.id, m.cp, o.currency_id, o.id = ANY(%(checked)s) AS checked
                  FROM sale_order o
                  JOIN members m ON m.id = o.partner_id
                 WHERE o.partner_id = ANY(ARRAY(SELECT id FROM members))
                   AND o.company_id = %(company)s
                   AND (o.id = ANY(%(checked)s)
                        OR (o.state = 'sale'
                            AND (o.invoice_status IS DISTINCT FROM 'invoiced'
                                 OR o.id IN (
                                     SELECT dl.order_id
                                       FROM account_move dm
                                       JOIN account_move_line dil ON dil.move_id = dm.id
                                       JOIN sale_order_line_invoice_rel drel
                                         ON drel.invoice_line_id = dil.id
                                       JOIN sale_order_line dl ON dl.id = drel.order_line_id
                                      WHERE dm.state = 'draft'))))
            ),
            posted AS (
                SELECT sl.id AS line_id,
                       %(qty)s AS qty
                  FROM orders o
                  JOIN sale_order_line sl ON sl.order_id = o.id
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sl.id
                  JOIN account_move_line il ON il.id = rel.invoice_line_id
                  JOIN account_move mv ON mv.id = il.move_id
                  LEFT JOIN uom_uom fu ON fu.id = il.product_uom_id
                  LEFT JOIN uom_uom tu ON tu.id = sl.product_uom
                 WHERE mv.state = 'posted' OR mv.payment_state = 'invoicing_legacy'
                 GROUP BY sl.id
            ),
            amounts AS (
                SELECT o.id, o.cp, o.currency_id, o.checked, %(order_amount)s AS amount
                  FROM orders o
                  JOIN res_currency cur ON cur.id = o.currency_id
                  JOIN sale_order_line sl ON sl.order_id = o.id
                  LEFT JOIN product_product pp ON pp.id = sl.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN posted inv ON inv.line_id = sl.id
                 GROUP BY o.id, o.cp, o.currency_id, o.checked, cur.rounding
            )
            SELECT x.id, x.cp, x.checked,
                   CASE WHEN x.currency_id = %(company_currency)s
                        THEN %(same)s
                        ELSE %(converted)s END AS amount
              FROM amounts x
            """,
            company_currency=args.currency,
            same=_sql_round(SQL("x.amount"), SQL("%s::float8", args.rounding)),
            converted=_sql_round(
                SQL("x.amount * (1.0 / (COALESCE(NULLIF(%s, 0), 1.0) / %s))", rate, company_rate),
                SQL("%s::float8", args.rounding),
            ),
            checked=args.checked,
            order_amount=_sql_round(SQL("SUM(%s)", line_amount), line_currency),
            qty=_sql_round(
                SQL(
                    """SUM(%s * CASE WHEN mv.move_type IN
                                          ('entry', 'in_invoice', 'out_refund', 'in_receipt')
                                     THEN -1 ELSE 1 END)""",
                    invoiced_qty,
                ),
                SQL("%s::float8", args.qty_rounding),
            ),
            company=args.company,
        )

    @api.depends_context("company")
    def _compute_risk_live(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        partners = self.filtered("id")
        parts = partners._risk_exposure_parts(company, today) if partners else {}
        included = self._risk_exposure_settings(company)
        for partner in self:
            exp = parts.get(partner.commercial_partner_id.id, tools.ExposureParts())
            partner.risk_live_open_not_due = exp.open_not_due
            partner.risk_live_overdue = exp.overdue
            partner.risk_live_draft_invoices = exp.draft_invoices
            partner.risk_live_uninvoiced_orders = exp.uninvoiced_orders
            partner.risk_live_exposure = exp.total(included)
            limit = partner.sudo().commercial_partner_id.credit_limit
            partner.risk_live_available_credit = tools.available_credit(
                limit, partner.risk_live_exposure
            )
            partner.risk_live_utilization = (
                100.0 * partner.risk_live_exposure / limit if limit > 0 else 0.0
            )

    @api.depends_context("company")
    def _compute_risk_over_limit(self):
        for partner in self:
            partner.risk_over_limit = partner.sudo().risk_available_credit < 0

    def _search_risk_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Over Limit."))
        positive = (operator == "=") == value
        return [("risk_available_credit", "<" if positive else ">=", 0)]

    # ------------------------------------------------------------------ assessments

    def _compute_risk_assessment_count(self):
        counts = dict(
            self.env["customer.risk.assessment"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.risk_assessment_count = counts.get(partner.commercial_partner_id, 0)

    def action_risk_assess(self):
        """Open the customer's draft assessment in the current company, or draft a new one:
        initial when none was ever confirmed, manual otherwise."""
        self.ensure_one()
        Assessment = self.env["customer.risk.assessment"]
        Assessment._check_officer()
        partner, company = self.commercial_partner_id, self.env.company
        domain = [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        assessment = Assessment.search([*domain, ("state", "=", "draft")], limit=1)
        if not assessment:
            confirmed = Assessment.search_count([*domain, ("state", "=", "confirmed")], limit=1)
            assessment = Assessment.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "kind": "manual" if confirmed else "initial",
                }
            )
            assessment.action_compute()
        return assessment.get_formview_action()

    def action_risk_view_assessments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_assessment_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------ monitoring

    def _compute_risk_alert_count(self):
        counts = dict(
            self.env["customer.risk.alert"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "!=", "resolved"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.risk_alert_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_risk_contract_count(self):
        counts = dict(
            self.env["customer.risk.contract"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.risk_contract_count = counts.get(partner.commercial_partner_id, 0)

    def action_risk_view_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_alert_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_open": 1}
        return action

    def action_risk_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_contract_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _risk_trigger_event_assessment(self, reason, company=None):
        """Re-assess these customers now because of ``reason`` (a new credit report, a
        screening result...): an event assessment in ``company`` (the current one by
        default), unless one is already waiting, applied or handed to an officer as the
        company's settings say. Returns the assessments drafted."""
        company = company or self.env.company
        today = fields.Date.context_today(self)
        reasons = {partner.id: [reason] for partner in self.commercial_partner_id}
        assessments = self.env["customer.risk.assessment"].sudo()
        return assessments._risk_event_assessments(company, today, reasons).with_env(self.env)

    @api.model
    def _cron_risk_monitor(self, chunk_size=200):
        """The continuous monitoring: every customer once a day, company by company, chunk
        by chunk. Each chunk commits, and a customer monitored today is skipped, so a rerun
        or a crash never drafts an assessment or raises an alert twice."""
        today = fields.Date.context_today(self)
        start = fields.Datetime.to_datetime(today)
        done = 0
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            while todo := self._risk_monitor_todo(company, start, chunk_size):
                self.browse(todo)._risk_monitor(company, today)
                done += len(todo)
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=len(todo) if len(todo) == chunk_size else 0
                )
                # Batch job: commit per chunk so a crash keeps the work done (design rule).
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _risk_monitor_todo(self, company, since, limit):
        """Active commercial customers of ``company`` not monitored since ``since``."""
        return self._risk_batch_todo(company, "risk_monitor_date", since, limit, active_only=True)

    def _risk_batch_todo(self, company, date_field, since, limit, active_only=False):
        """Ids of the next ``limit`` commercial customers of ``company`` whose per-company
        ``date_field`` (a company-dependent datetime a batch job sets when done) is older than
        ``since``, locked with SKIP LOCKED so two runs share the work instead of repeating
        it."""
        self.flush_model(
            ["commercial_partner_id", "customer_rank", "active", "company_id", date_field]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM res_partner p
                 WHERE p.id = p.commercial_partner_id
                   AND p.customer_rank > 0
                   AND (p.active OR NOT %(active_only)s)
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND COALESCE((%(field)s ->> %(key)s)::timestamp, 'epoch') < %(since)s
                 ORDER BY p.id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
                """,
                field=SQL.identifier("p", date_field),
                active_only=active_only,
                company=company.id,
                key=str(company.id),
                since=since,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _risk_monitor(self, company=None, today=None):
        """Monitor commercial partners ``self`` in ``company`` on ``today``: draft event
        assessments for those hit by an event since the previous run, raise and resolve
        their alerts, then remember what was seen for the next run."""
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        partners = self.commercial_partner_id.sudo().with_company(company)
        if not partners:
            return
        reasons = partners._risk_monitor_events(company, today)
        self.env["customer.risk.assessment"].sudo()._risk_event_assessments(company, today, reasons)
        parts = partners._risk_exposure_parts(company, today)
        self.env["customer.risk.alert"].sudo()._risk_evaluate(partners, company, today, parts)
        now = fields.Datetime.now()
        for partner in partners:
            partner.write(
                {
                    "risk_monitor_date": now,
                    "risk_monitor_overdue": parts[partner.id].overdue,
                    "risk_monitor_tier_id": partner.risk_tier_id.id,
                    "risk_monitor_screening": partner.risk_screening_state,
                }
            )

    def _risk_monitor_events(self, company, today):
        """{partner id: [reasons]} of the commercial partners ``self`` hit since the
        previous run by a late payment, an item newly past the overdue threshold or a
        screening that expired; one query per event for the whole batch."""
        reasons = defaultdict(list)
        currency = company.currency_id
        for partner_id, days in self._risk_fetch_late_payments(company, today):
            reasons[partner_id].append(
                self.env._(
                    "A customer invoice was paid %(days)s days after its due date (threshold "
                    "%(threshold)s days).",
                    days=days,
                    threshold=company.risk_event_late_days,
                )
            )
        for partner_id, amount in self._risk_fetch_new_overdue(company, today):
            reasons[partner_id].append(
                self.env._(
                    "Receivables of %(amount)s are now more than %(threshold)s days overdue.",
                    amount=formatLang(self.env, amount, currency_obj=currency),
                    threshold=company.risk_event_overdue_days,
                )
            )
        for partner in self:
            if (
                partner.risk_monitor_date
                and partner.risk_screening_state == "expired"
                and partner.risk_monitor_screening != "expired"
            ):
                reasons[partner.id].append(self.env._("The customer's screening has expired."))
        for partner_id, agency in self._risk_fetch_new_reports(company):
            reasons[partner_id].append(
                self.env._("A new credit report from %(agency)s arrived.", agency=agency)
            )
        return reasons

    def _risk_fetch_new_reports(self, company):
        """(partner id, agency name) of the credit reports of ``company`` recorded for the
        commercial partners ``self`` since their previous monitoring run (never-monitored
        customers are assessed on their own schedule, not as an event)."""
        since = {p.id: p.risk_monitor_date for p in self if p.risk_monitor_date}
        if not since:
            return []
        reports = self.env["customer.risk.credit.report"].sudo()
        found = reports.search(
            [
                ("partner_id", "in", list(since)),
                ("company_id", "=", company.id),
                ("create_date", ">", min(since.values())),
            ]
        )
        latest = {}
        for report in found.sorted("id"):
            if report.create_date > since[report.partner_id.id]:
                latest[report.partner_id.id] = report.agency_id.display_name
        return list(latest.items())

    def _risk_monitor_members(self):
        """Ids of every contact of commercial partners ``self`` (items may be booked on
        them), for queries filtering on the indexed partner column."""
        return (
            self.with_context(active_test=False)
            .sudo()
            .search([("commercial_partner_id", "in", self.ids)])
            .ids
        )

    def _risk_fetch_late_payments(self, company, today):
        """(commercial partner id, most days late) of the customer invoices whose payment
        was recorded since the partner's previous run and came more than the company's
        threshold after the due date."""
        self.env["account.move.line"].flush_model(
            [
                "move_id",
                "partner_id",
                "account_id",
                "company_id",
                "reconciled",
                "parent_state",
                "date_maturity",
                "date",
            ]
        )
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        self.flush_model(["commercial_partner_id", "risk_monitor_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id,
                       MAX(paid.paid_date - COALESCE(aml.date_maturity, aml.date))
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 CROSS JOIN LATERAL (
                       SELECT MAX(apr.max_date) AS paid_date,
                              MAX(apr.create_date) AS recorded
                         FROM account_partial_reconcile apr
                        WHERE apr.debit_move_id = aml.id
                 ) paid
                 WHERE aml.partner_id = ANY(%(partners)s)
                   AND aml.company_id = %(company)s
                   AND aml.reconciled
                   AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND move.move_type = 'out_invoice'
                   AND paid.recorded > COALESCE(
                       (cp.risk_monitor_date ->> %(key)s)::timestamp, %(first)s)
                   AND paid.paid_date - COALESCE(aml.date_maturity, aml.date) > %(threshold)s
                 GROUP BY 1
                """,
                partners=self._risk_monitor_members(),
                company=company.id,
                key=str(company.id),
                first=fields.Datetime.to_datetime(today - relativedelta(days=1)),
                threshold=company.risk_event_late_days,
            )
        )
        return self.env.cr.fetchall()

    def _risk_fetch_new_overdue(self, company, today):
        """(commercial partner id, amount) of the open receivables that went past the
        company's overdue threshold since the partner's previous run (yesterday for the
        first run)."""
        self.env["account.move.line"].flush_model(
            [
                "partner_id",
                "account_id",
                "company_id",
                "reconciled",
                "parent_state",
                "amount_residual",
                "date_maturity",
                "date",
            ]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.flush_model(["commercial_partner_id"])
        # The day of the previous run in the same calendar as ``today`` (the user's).
        yesterday = today - relativedelta(days=1)
        since = {
            partner.id: fields.Date.context_today(self, partner.risk_monitor_date)
            if partner.risk_monitor_date
            else yesterday
            for partner in self
        }
        # An item crosses the threshold N on the day its age first exceeds N: due + N + 1.
        crossing = SQL(
            "COALESCE(aml.date_maturity, aml.date) + %s + 1", company.risk_event_overdue_days
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN unnest(%(commercial)s::int[], %(since)s::date[]) AS s(partner_id, since)
                    ON s.partner_id = p.commercial_partner_id
                 WHERE aml.partner_id = ANY(%(partners)s)
                   AND aml.company_id = %(company)s
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND aml.amount_residual > 0
                   AND %(crossing)s <= %(today)s
                   AND %(crossing)s > s.since
                 GROUP BY 1
                """,
                partners=self._risk_monitor_members(),
                commercial=list(since),
                since=list(since.values()),
                company=company.id,
                crossing=crossing,
                today=today,
            )
        )
        return self.env.cr.fetchall()

    # Hooks filled by the credit reports and financial statements: {partner id: value or
    # None} for commercial partners ``self``; None leaves the factor out of the score.
    # Hooks of the scorecard, filled by the credit reports and financial statements:
    # {partner id: value or None} for commercial partners ``self``; None leaves the factor
    # out of the score.

    def _risk_external_rating(self, company, date):
        """Points 0-100 (higher is safer) of the newest agency report valid at ``date``."""
        reports = self.env["customer.risk.credit.report"]._latest(self, company, date)
        result = dict.fromkeys(self.ids)
        for partner_id, report in reports.items():
            if report.rated:
                result[partner_id] = report.points
        return result

    def _risk_financial_ratio_points(self, company, date):
        """Strength 0-100 of the newest financial statements whose period ended by
        ``date``."""
        statements = self.env["customer.risk.financial.statement"]._latest(self, company, date)
        result = dict.fromkeys(self.ids)
        for partner_id, statement in statements.items():
            if statement.rated:
                result[partner_id] = statement.points
        return result

    def _risk_agency_limit(self, company, date):
        """Credit limit recommended by the newest agency report valid at ``date``, in
        company currency (converted at ``date``); None when it recommends none."""
        reports = self.env["customer.risk.credit.report"]._latest(self, company, date)
        result = dict.fromkeys(self.ids)
        for partner_id, report in reports.items():
            if report.recommended_limit:
                result[partner_id] = report.currency_id._convert(
                    report.recommended_limit, company.currency_id, company, date
                )
        return result

    # ------------------------------------------------------------------ screening

    def _risk_screening_keys(self):
        """{partner id: (name keys, identifier keys)} that screening compares with the
        watchlists: the name, the tax ID and the company registry number."""
        return {
            partner.id: (
                tools.name_keys([partner.name]),
                tools.identifier_keys([partner.vat, partner.company_registry]),
            )
            for partner in self
        }

    def _compute_risk_due_diligence_counts(self):
        commercial = self.commercial_partner_id
        domain = [("partner_id", "in", commercial.ids)]
        counts = {
            model: dict(self.env[model]._read_group(domain, ["partner_id"], ["__count"]))
            for model in (
                "customer.risk.screening",
                "customer.risk.credit.report",
                "customer.risk.financial.statement",
            )
        }
        for partner in self:
            target = partner.commercial_partner_id
            partner.risk_screening_count = counts["customer.risk.screening"].get(target, 0)
            partner.risk_credit_report_count = counts["customer.risk.credit.report"].get(target, 0)
            partner.risk_financial_statement_count = counts[
                "customer.risk.financial.statement"
            ].get(target, 0)

    def action_risk_screen(self):
        """Open the customer's screening in progress in the current company, or start a
        new round with its automatic checks run."""
        self.ensure_one()
        Screening = self.env["customer.risk.screening"]
        Screening._check_officer()
        partner, company = self.commercial_partner_id, self.env.company
        screening = Screening.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "in_review")),
            ],
            limit=1,
        )
        if not screening:
            screening = Screening.create({"partner_id": partner.id, "company_id": company.id})
            screening.action_run_checks()
        return screening.get_formview_action()

    def _risk_related_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_risk_view_screenings(self):
        return self._risk_related_action("customer_risk.customer_risk_screening_action")

    def action_risk_view_credit_reports(self):
        return self._risk_related_action("customer_risk.customer_risk_credit_report_action")

    def action_risk_view_financial_statements(self):
        return self._risk_related_action("customer_risk.customer_risk_financial_statement_action")

    def _risk_screening_valid_until(self, company):
        """{partner id: date} the current screening of each commercial partner ``self`` in
        ``company`` stops being valid: the end of its latest decided round (None when it has
        none; the early warnings then go by the screening state). One query."""
        result = dict.fromkeys(self.ids)
        if not self.ids:
            return result
        self.env["customer.risk.screening"].flush_model(
            ["partner_id", "company_id", "state", "valid_until", "decision_date"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, valid_until
                  FROM customer_risk_screening
                 WHERE partner_id IN %(partners)s
                   AND company_id = %(company)s
                   AND state = 'decided'
                 ORDER BY partner_id, decision_date DESC NULLS LAST, id DESC
                """,
                partners=tuple(self.ids),
                company=company.id,
            )
        )
        result.update(self.env.cr.fetchall())
        return result

    # ------------------------------------------------------------------ snapshot

    def _risk_refresh_snapshot(self, company=None, today=None):
        """Recompute the list figures of commercial partners ``self`` for ``company``:
        one exposure statement and one update for the whole batch."""
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        # Only the column needed (a batch job's chunk would otherwise read every field).
        self.fetch(["commercial_partner_id"])
        partners = self.commercial_partner_id
        if not partners:
            return
        partners._risk_write_snapshots(company, partners._risk_exposure_parts(company, today))

    # The list figures the snapshot refresh writes: (field, SQL type of its values).
    _RISK_SNAPSHOT_COLUMNS = (
        ("risk_exposure", "float8"),
        ("risk_available_credit", "float8"),
        ("risk_overdue_amount", "float8"),
        ("risk_max_days_overdue", "int4"),
        ("risk_snapshot_date", "text"),
    )

    def _risk_write_snapshots(self, company, parts):
        """Store the list figures of commercial partners ``self`` in ``company`` from
        ``parts`` ({partner id: ExposureParts}) in one UPDATE of the company-dependent
        columns, as the ORM stores them (a value equal to the company's fallback is not
        kept). The figures are not tracked in the chatter nor logged by the audit addon;
        only the server writes them, so the write goes around the ORM's per-record write
        stack; the cache is invalidated."""
        partners = self.sudo().with_company(company)
        if not partners:
            return
        included = self._risk_exposure_settings(company)
        now = fields.Datetime.to_string(fields.Datetime.now())
        names = [name for name, _type in self._RISK_SNAPSHOT_COLUMNS]
        partners.flush_recordset(["credit_limit", *names])
        columns = {name: [] for name in names}
        for partner_id in partners.ids:
            exp = parts.get(partner_id) or tools.ExposureParts()
            columns["risk_exposure"].append(exp.total(included))
            columns["risk_overdue_amount"].append(exp.overdue)
            columns["risk_max_days_overdue"].append(exp.max_days_overdue)
            columns["risk_snapshot_date"].append(now)
        # What is left of the limit, from the limit as stored (as the ORM reads it: the
        # company's fallback when the partner has none), in double precision like Python.
        limit_field = self._fields["credit_limit"]
        limit = SQL(
            "COALESCE(%s, %s)",
            partners._field_to_sql("p", "credit_limit"),
            limit_field.convert_to_column(
                limit_field.get_company_dependent_fallback(partners), partners
            )
            or 0.0,
        )
        defaults = self.env["ir.default"]._get_model_defaults(self._name)
        key = str(company.id)
        assignments = []
        arrays = []
        for name, sql_type in self._RISK_SNAPSHOT_COLUMNS:
            field = self._fields[name]
            fallback = field.convert_to_column(defaults.get(name), partners)
            column = SQL.identifier(name)
            if name == "risk_available_credit":
                value = SQL("(%s::float8 - v.risk_exposure)", limit)
            else:
                value = SQL("v.%s", column)
                arrays.append(SQL("%s::%s[]", columns[name], SQL(sql_type)))
            # Datetimes are stored as Odoo writes them, 'YYYY-MM-DD HH:MM:SS'.
            kept = SQL(
                "COALESCE(p.%(col)s, '{}'::jsonb) || jsonb_build_object(%(key)s, %(value)s)",
                col=column,
                key=key,
                value=value,
            )
            assignments.append(
                SQL(
                    """%(col)s = CASE WHEN %(value)s IS NOT DISTINCT FROM %(fallback)s
                                     THEN NULLIF(COALESCE(p.%(col)s, '{}'::jsonb) - %(key)s,
                                                 '{}'::jsonb)
                                     ELSE %(kept)s END""",
                    col=column,
                    value=value,
                    fallback=SQL("%s::%s", fallback, SQL(sql_type)),
                    key=key,
                    kept=kept,
                )
            )
        names = [name for name in names if name != "risk_available_credit"]
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET %(assignments)s,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM unnest(%(ids)s::int[], %(arrays)s) AS v(id, %(names)s)
                 WHERE p.id = v.id
                """,
                assignments=SQL(", ").join(assignments),
                uid=self.env.uid,
                now=now,
                ids=partners.ids,
                arrays=SQL(", ").join(arrays),
                names=SQL(", ").join(SQL.identifier(name) for name in names),
            )
        )
        partners.invalidate_recordset([*names, "risk_available_credit", "write_uid", "write_date"])

    def _risk_schedule_snapshot(self, company, known=None):
        """Refresh these partners' list figures just before the transaction commits, once
        per transaction whatever the number of documents that changed.

        ``known`` ({partner id: (ExposureParts, {order: amount_total})}): the figures the
        credit check has just computed for these partners with the confirmed orders in;
        the refresh reuses them instead of recomputing, unless another change of the
        transaction schedules the partner again (a posted invoice, a payment, a
        cancellation) or an order's total changed since."""
        if not self:
            return
        data = self.env.cr.precommit.data
        pending = data.get("customer_risk.snapshot")
        if pending is None:
            pending = data["customer_risk.snapshot"] = defaultdict(set)
            self.env.cr.precommit.add(self._risk_flush_scheduled_snapshots)
        partner_ids = self.commercial_partner_id.ids
        pending[company.id].update(partner_ids)
        reused = data.setdefault("customer_risk.snapshot_known", {})
        for partner_id in partner_ids:
            reused.pop((company.id, partner_id), None)
        for partner_id, figures in (known or {}).items():
            reused[(company.id, partner_id)] = figures

    def _risk_flush_scheduled_snapshots(self):
        pending = self.env.cr.precommit.data.pop("customer_risk.snapshot", {})
        known = self.env.cr.precommit.data.pop("customer_risk.snapshot_known", {})
        partners = self.env["res.partner"].sudo()
        for company_id, partner_ids in pending.items():
            company = self.env["res.company"].browse(company_id)
            parts = {}
            for partner_id in partner_ids:
                figures = known.get((company_id, partner_id))
                if figures and all(
                    order.state == "sale" and order.amount_total == total
                    for order, total in figures[1].items()
                ):
                    parts[partner_id] = figures[0]
            # Partners with reused figures were just locked by the credit check.
            stale = partners.browse(set(partner_ids) - set(parts)).exists()
            if stale:
                parts.update(stale._risk_exposure_parts(company, fields.Date.context_today(self)))
            partners.browse(parts)._risk_write_snapshots(company, parts)

    @api.model
    def _cron_risk_refresh_snapshots(self, chunk_size=500):
        """Refresh every customer's list figures, company by company, chunk by chunk.

        Each chunk commits, so a crash resumes with the partners not yet refreshed today.
        """
        start = fields.Datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            while True:
                todo = self._risk_snapshot_todo(company, start, chunk_size)
                if not todo:
                    break
                self.browse(todo)._risk_refresh_snapshot(company)
                self.env["ir.cron"]._notify_progress(
                    done=len(todo), remaining=len(todo) if len(todo) == chunk_size else 0
                )
                # Batch job: commit per chunk so a crash keeps the work done (design rule).
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # Every customer of the company is fresh: keep today's totals for the overview.
            self.env["customer.risk.exposure.history"]._risk_record(
                company, fields.Date.context_today(self)
            )

    def _risk_snapshot_todo(self, company, since, limit):
        """Commercial customers of ``company`` whose figures are older than ``since``."""
        return self._risk_batch_todo(company, "risk_snapshot_date", since, limit)
