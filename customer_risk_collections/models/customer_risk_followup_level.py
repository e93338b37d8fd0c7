from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.customer_risk import tools

EXECUTION_MODEL = "customer.risk.followup.execution"


class CustomerRiskFollowupLevel(models.Model):
    """A step of the collection plan: what is done for a customer a number of days after the
    due date of its oldest open item, for the customers of some tiers."""

    _name = "customer.risk.followup.level"
    _description = "Follow-up Level"
    _inherit = ["customer.risk.kept.mixin"]
    _order = "company_id, delay, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    delay = fields.Integer(
        string="Days After Due Date",
        help="Counted from the due date of the customer's oldest open item; negative for a "
        "reminder before that date.",
    )
    tier_ids = fields.Many2many(
        "customer.risk.tier",
        string="Risk Tiers",
        help="The customers of these tiers follow this level. A tier named by some level "
        "follows only the levels naming it; levels naming no tier apply to every other tier "
        "and to customers never assessed.",
    )
    mode = fields.Selection(
        [("automatic", "Automatic"), ("manual", "Manual")],
        default="automatic",
        required=True,
        help="The daily run executes automatic levels; manual ones are proposed in the "
        "follow-up report for a collector to process.",
    )
    message = fields.Html(
        translate=True, help="Opening text of the email and the letter, above the list of items."
    )
    send_email = fields.Boolean(
        string="Email", help="Email the customer's invoicing contact the list of items."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", EXECUTION_MODEL)],
        default=lambda self: self.env.ref(
            "customer_risk_collections.mail_template_followup", raise_if_not_found=False
        ),
    )
    send_letter = fields.Boolean(
        string="Letter", help="The execution waits in the follow-up log for its letter to print."
    )
    create_activity = fields.Boolean(string="Activity")
    activity_type_id = fields.Many2one(
        "mail.activity.type", domain=[("res_model", "in", (False, "res.partner"))]
    )
    activity_summary = fields.Char(translate=True)
    activity_target = fields.Selection(
        [("collector", "Collector"), ("salesperson", "Salesperson"), ("user", "Fixed user")],
        string="Activity For",
        default="collector",
        required=True,
        help="Whoever is missing falls back on the customer's collector, then its "
        "salesperson, then the fixed user, then the user running the follow-ups.",
    )
    activity_user_id = fields.Many2one("res.users", string="Fixed User")
    credit_hold = fields.Boolean(
        help="Put the customer on credit hold: its orders are blocked until a credit manager "
        "lifts the hold.",
    )
    escalate = fields.Boolean(help="Give a named user an activity and notify them in the chatter.")
    escalate_user_id = fields.Many2one("res.users", string="Escalate To")
    execution_count = fields.Integer(compute="_compute_execution_count")

    @api.constrains(
        "send_email",
        "mail_template_id",
        "send_letter",
        "create_activity",
        "activity_type_id",
        "activity_target",
        "activity_user_id",
        "credit_hold",
        "escalate",
        "escalate_user_id",
    )
    def _check_actions(self):
        for level in self:
            problems = []
            if not (
                level.send_email
                or level.send_letter
                or level.create_activity
                or level.credit_hold
                or level.escalate
            ):
                problems.append(self.env._("choose at least one action"))
            if level.send_email and not level.mail_template_id:
                problems.append(self.env._("an email needs its template"))
            if level.create_activity and not level.activity_type_id:
                problems.append(self.env._("an activity needs its type"))
            if (
                level.create_activity
                and level.activity_target == "user"
                and not level.activity_user_id
            ):
                problems.append(self.env._("an activity for a fixed user needs that user"))
            if level.escalate and not level.escalate_user_id:
                problems.append(self.env._("an escalation needs the user to escalate to"))
            if problems:
                raise ValidationError(
                    self.env._(
                        "Follow-up level %(level)s: %(problems)s.",
                        level=level.display_name,
                        problems="; ".join(problems),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_executed(self):
        if self.env[EXECUTION_MODEL].sudo().search_count([("level_id", "in", self.ids)], limit=1):
            raise UserError(
                self.env._(
                    "A follow-up level that was executed documents what customers received: "
                    "archive it instead of deleting it."
                )
            )

    def _compute_execution_count(self):
        counts = dict(
            self.env[EXECUTION_MODEL]._read_group(
                [("level_id", "in", self.ids)], ["level_id"], ["__count"]
            )
        )
        for level in self:
            level.execution_count = counts.get(level, 0)

    def _rule(self):
        """The level as the follow-up tools see it."""
        self.ensure_one()
        return tools.followup.LevelRule(
            key=self.id,
            delay=self.delay,
            tiers=frozenset(self.tier_ids.ids),
            sequence=self.sequence,
        )

    def action_view_executions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk_collections.customer_risk_followup_execution_action"
        )
        action["domain"] = [("level_id", "=", self.id)]
        action["context"] = {}
        return action
