from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import ormcache

from .. import tools

RULE_MODES = [("block", "Block"), ("warn", "Warn"), ("off", "Off")]
# Amounts and percents a client may send as text, NaN or infinity.
AMOUNT_FIELDS = (
    "limit_amount",
    "limit_sales_share",
    "limit_cap",
    "tolerance_percent",
    "max_overdue_amount",
    "single_order_max",
)


class CustomerRiskTier(models.Model):
    """A risk class of customers: its score range gives the tier, the tier gives the limit
    and the rules the credit check applies at order confirmation."""

    _name = "customer.risk.tier"
    _description = "Customer Risk Tier"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, tracking=True, help="Stable identifier, e.g. LOW.")
    sequence = fields.Integer(default=10, help="Lower sequence means lower risk.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the tier between companies."
    )
    color = fields.Integer()
    description = fields.Text(translate=True)
    score_min = fields.Float(string="Score From", tracking=True)
    score_max = fields.Float(string="Score To", default=100.0, tracking=True)
    review_interval_months = fields.Integer(
        string="Review Every (Months)", default=12, tracking=True
    )
    # Credit limit granted by the tier.
    limit_method = fields.Selection(
        [
            ("fixed", "Fixed amount"),
            ("sales_share", "Share of trailing 12-month sales"),
            ("agency", "Latest agency recommendation"),
        ],
        default="fixed",
        required=True,
        tracking=True,
    )
    limit_amount = fields.Float(string="Fixed Limit", tracking=True)
    limit_sales_share = fields.Float(
        string="Share of Sales (%)", help="Percent of the invoiced sales of the last 12 months."
    )
    limit_cap = fields.Float(help="0 means no cap.", tracking=True)
    payment_term_id = fields.Many2one(
        "account.payment.term", string="Default Payment Terms", company_dependent=False
    )
    # Rules of the credit check.
    rule_limit = fields.Selection(RULE_MODES, string="Credit Limit Rule", default="block")
    tolerance_percent = fields.Float(
        string="Tolerance (%)", help="Exposure may exceed the limit by this percent.", tracking=True
    )
    rule_overdue_days = fields.Selection(RULE_MODES, string="Overdue Days Rule", default="block")
    max_overdue_days = fields.Integer(
        string="Max Days Overdue", help="Oldest overdue item allowed; 0 allows none.", tracking=True
    )
    rule_overdue_amount = fields.Selection(RULE_MODES, string="Overdue Amount Rule", default="off")
    max_overdue_amount = fields.Float(tracking=True)
    rule_prepayment = fields.Selection(RULE_MODES, string="Prepayment Rule", default="block")
    prepayment_required = fields.Boolean(tracking=True)
    rule_contract = fields.Selection(RULE_MODES, string="Contract Rule", default="block")
    contract_required = fields.Boolean(tracking=True)
    rule_single_order = fields.Selection(RULE_MODES, string="Single Order Rule", default="block")
    single_order_max = fields.Float(
        string="Single Order Maximum", help="0 means no maximum.", tracking=True
    )
    rule_screening = fields.Selection(RULE_MODES, string="Screening Rule", default="warn")
    rule_review = fields.Selection(RULE_MODES, string="Review Date Rule", default="warn")
    partner_count = fields.Integer(compute="_compute_partner_count")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The tier code must be unique."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._risk_check_amount_vals(vals, AMOUNT_FIELDS)
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self._risk_check_amount_vals(vals, AMOUNT_FIELDS)
        # The credit check keeps the tiers' rules in a cache (see _risk_check_values).
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @ormcache("tier_id")
    def _risk_check_values(self, tier_id):
        """What the credit check takes from tier ``tier_id`` (rules and thresholds), kept
        in the registry cache so a confirmation does not read the tier again; any change
        of a tier clears it."""
        tier = self.sudo().browse(tier_id)
        return {
            "tolerance_percent": tier.tolerance_percent,
            "max_overdue_days": tier.max_overdue_days,
            "max_overdue_amount": tier.max_overdue_amount,
            "prepayment_required": tier.prepayment_required,
            "contract_required": tier.contract_required,
            "single_order_max": tier.single_order_max,
            "modes": tuple((rule, tier[f"rule_{rule}"]) for rule in tools.TIER_RULES),
        }

    @api.constrains("score_min", "score_max")
    def _check_score_range(self):
        for tier in self:
            if not 0 <= tier.score_min <= tier.score_max <= 100:
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s: the score range must satisfy 0 <= from <= to <= 100.",
                        tier=tier.display_name,
                    )
                )

    @api.constrains(
        "tolerance_percent",
        "limit_amount",
        "limit_cap",
        "limit_sales_share",
        "max_overdue_days",
        "max_overdue_amount",
        "single_order_max",
        "review_interval_months",
    )
    def _check_non_negative(self):
        for tier in self:
            values = (
                tier.tolerance_percent,
                tier.limit_amount,
                tier.limit_cap,
                tier.limit_sales_share,
                tier.max_overdue_days,
                tier.max_overdue_amount,
                tier.single_order_max,
                tier.review_interval_months,
            )
            if any(v < 0 for v in values):
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s: amounts, days and percents cannot be negative.",
                        tier=tier.display_name,
                    )
                )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("risk_tier_id", "in", self.ids)], ["risk_tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    def _tier_limit(self, sales_12m=0.0, agency_limit=None):
        """The credit limit this tier grants, from the partner's figures."""
        self.ensure_one()
        return tools.tier_limit(
            method=self.limit_method,
            fixed=self.limit_amount,
            sales_share_percent=self.limit_sales_share,
            sales_12m=sales_12m,
            agency_limit=agency_limit,
            cap=self.limit_cap,
        )

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.res_partner_action_customer"
        )
        action["domain"] = [("risk_tier_id", "=", self.id)]
        return action
