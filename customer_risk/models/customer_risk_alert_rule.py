from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

OFFICER = "customer_risk.group_risk_officer"
RULE_CODES = [
    ("limit_utilization", "Credit limit nearly used"),
    ("tier_downgrade", "Tier downgrade"),
    ("overdue_days", "Old overdue item"),
    ("overdue_jump", "Overdue amount jump"),
    ("screening", "Screening expired or expiring"),
    ("review_overdue", "Credit review overdue"),
    ("watchlist_hit", "Watchlist hit"),
    ("contract_expiring", "Contract expiring"),
    ("obligation_overdue", "Contract obligation overdue"),
    ("order_size", "Order far above the usual size"),
    ("broken_promise", "Broken promise to pay"),
]
SEVERITIES = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
    ("critical", "Critical"),
]
# What the threshold of each rule means; rules raised by other code have none.
THRESHOLD_UNITS = {
    "limit_utilization": "percent",
    "overdue_days": "days",
    "overdue_jump": "percent",
    "screening": "days",
    "review_overdue": "days",
    "contract_expiring": "days",
    "obligation_overdue": "days",
    "order_size": "times",
}


class CustomerRiskAlertRule(models.Model):
    """A condition that raises an early-warning alert: its threshold, severity and the
    person who follows its alerts. A rule without a company applies to every company that
    has no rule of its own with the same code."""

    _name = "customer.risk.alert.rule"
    _description = "Early-Warning Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Selection(RULE_CODES, required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="An archived rule raises no alert, also when the company's rule overrides a "
        "shared one.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to apply the rule to every company without its own."
    )
    severity = fields.Selection(SEVERITIES, required=True, default="medium", tracking=True)
    threshold = fields.Float(tracking=True)
    threshold_unit = fields.Selection(
        [("percent", "Percent"), ("days", "Days"), ("times", "Times the usual size")],
        compute="_compute_threshold_unit",
    )
    responsible_id = fields.Many2one(
        "res.users",
        tracking=True,
        domain="[('share', '=', False)]",
        help="A credit officer who gets a To-Do for each new alert; empty means the company's "
        "first credit officer.",
    )
    description = fields.Text(translate=True)
    alert_ids = fields.One2many("customer.risk.alert", "rule_id")
    open_alert_count = fields.Integer(compute="_compute_open_alert_count")

    def init(self):
        # One rule per code and company, and one shared rule per code.
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS customer_risk_alert_rule_code_company_uniq
                       ON customer_risk_alert_rule (code, COALESCE(company_id, 0))"""
            )
        )

    @api.depends("code")
    def _compute_threshold_unit(self):
        for rule in self:
            rule.threshold_unit = THRESHOLD_UNITS.get(rule.code, False)

    def _compute_open_alert_count(self):
        counts = dict(
            self.env["customer.risk.alert"]._read_group(
                [("rule_id", "in", self.ids), ("state", "!=", "resolved")],
                ["rule_id"],
                ["__count"],
            )
        )
        for rule in self:
            rule.open_alert_count = counts.get(rule, 0)

    @api.constrains("responsible_id")
    def _check_responsible(self):
        for rule in self:
            if rule.responsible_id and not rule.responsible_id.has_group(OFFICER):
                raise ValidationError(
                    self.env._(
                        "%(user)s follows the alerts of %(rule)s only as a Credit Officer.",
                        user=rule.responsible_id.name,
                        rule=rule.display_name,
                    )
                )

    @api.constrains("threshold")
    def _check_threshold(self):
        for rule in self:
            if rule.threshold < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the threshold cannot be negative.", rule=rule.display_name
                    )
                )

    @api.model
    def _risk_rules(self, company):
        """{code: rule} of the rules in force in ``company``: its own rule of a code wins
        over the shared one, and an archived rule of its own switches the code off."""
        rules = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", [company.id, False])])
        )
        result = {}
        for rule in rules.sorted(lambda r: not r.company_id):
            result.setdefault(rule.code, rule)
        return {code: rule for code, rule in result.items() if rule.active}

    def _risk_responsible(self, company):
        """Who follows this rule's alerts in ``company``: its responsible when they work in
        that company, else the company's first credit officer."""
        self.ensure_one()
        user = self.responsible_id
        if user.active and company in user.company_ids and user.has_group(OFFICER):
            return user
        return self.env["customer.risk.assessment"]._review_responsible(company)

    def action_view_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_alert_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        return action
