from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.customer_risk.models.customer_risk_team_mixin import TASK_ACTIVITY_TYPE

# What a policy says: fixed once it is published, so an acknowledgement means one text.
CONTENT_FIELDS = {"name", "version", "effective_date", "document", "document_name", "summary"}


class CustomerRiskPolicy(models.Model):
    """A version of the credit policy; the current one is the latest published version
    already in effect, and everyone in the credit team acknowledges it."""

    _name = "customer.risk.policy"
    _description = "Credit Policy"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "customer.risk.officer.mixin",
        "customer.risk.kept.mixin",
    ]
    _order = "effective_date desc, id desc"
    _check_company_auto = True
    # Users acknowledge and discuss the policy without write access.
    _mail_post_access = "read"

    name = fields.Char(required=True, tracking=True)
    version = fields.Char(required=True, tracking=True)
    effective_date = fields.Date(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    document = fields.Binary(attachment=True)
    document_name = fields.Char(string="Document File Name")
    summary = fields.Text()
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Archived")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    published_on = fields.Datetime(readonly=True, copy=False)
    published_by_id = fields.Many2one("res.users", readonly=True)
    acknowledgement_ids = fields.One2many(
        "customer.risk.policy.acknowledgement", "policy_id", string="Acknowledgements"
    )
    acknowledgement_count = fields.Integer(compute="_compute_acknowledgement_count")
    is_current = fields.Boolean(
        string="Current", compute="_compute_is_current", search="_search_is_current"
    )
    acknowledged = fields.Boolean(string="Acknowledged by Me", compute="_compute_acknowledged")

    @api.depends("name", "version")
    def _compute_display_name(self):
        for policy in self:
            policy.display_name = self.env._(
                "%(name)s (version %(version)s)",
                name=policy.name or "",
                version=policy.version or "",
            )

    @api.depends("acknowledgement_ids")
    def _compute_acknowledgement_count(self):
        counts = dict(
            self.env["customer.risk.policy.acknowledgement"]
            .sudo()
            ._read_group([("policy_id", "in", self.ids)], ["policy_id"], ["__count"])
        )
        for policy in self:
            policy.acknowledgement_count = counts.get(policy, 0)

    @api.depends("acknowledgement_ids")
    @api.depends_context("uid")
    def _compute_acknowledged(self):
        acknowledged = (
            self.env["customer.risk.policy.acknowledgement"]
            .sudo()
            .search([("policy_id", "in", self.ids), ("user_id", "=", self.env.uid)])
            .policy_id
        )
        for policy in self:
            policy.acknowledged = policy in acknowledged

    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        current = self.browse().union(
            *(self._risk_current(company, today) for company in self.company_id)
        )
        for policy in self:
            policy.is_current = policy in current

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on current policies."))
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        ids = self.browse().union(*(self._risk_current(c, today) for c in companies)).ids
        return [("id", "in" if (operator == "=") == value else "not in", ids)]

    @api.model
    def _risk_current(self, company, today):
        """The current credit policy of ``company`` on ``today``: the latest published
        version already in effect (the compliance report uses the same rule)."""
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "published"),
                ("effective_date", "<=", today),
            ],
            order="effective_date desc, id desc",
            limit=1,
        )

    def _risk_acknowledged_by(self, user):
        self.ensure_one()
        return bool(
            self.env["customer.risk.policy.acknowledgement"]
            .sudo()
            .search_count([("policy_id", "=", self.id), ("user_id", "=", user.id)], limit=1)
        )

    # ------------------------------------------------------------------ guards

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")
            if "state" in vals or "published_on" in vals or "published_by_id" in vals:
                raise AccessError(self.env._("A policy is published and archived by its buttons."))
            if CONTENT_FIELDS & set(vals) and any(p.state != "draft" for p in self):
                raise UserError(
                    self.env._("A published policy cannot change: draft a new version instead.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(policy.state != "draft" for policy in self):
            raise UserError(self.env._("Only draft policies can be deleted; archive the others."))

    # ------------------------------------------------------------------ actions

    def action_publish(self):
        """Publish the version and ask the credit team of its company to acknowledge it."""
        self._check_officer()
        self.check_access("write")
        if any(policy.state != "draft" for policy in self):
            raise UserError(self.env._("Only draft policies are published."))
        self.sudo().write(
            {
                "state": "published",
                "published_on": fields.Datetime.now(),
                "published_by_id": self.env.uid,
            }
        )
        team = self.env.ref("customer_risk.group_risk_user").sudo().users
        for policy in self:
            readers = team.filtered(
                lambda u, p=policy: u.active and not u.share and p.company_id in u.company_ids
            )
            for user in readers:
                policy.sudo().activity_schedule(
                    TASK_ACTIVITY_TYPE,
                    date_deadline=max(policy.effective_date, fields.Date.context_today(self)),
                    summary=self.env._("Acknowledge the credit policy"),
                    user_id=user.id,
                )
        return True

    def action_set_archived(self):
        self._check_officer()
        self.check_access("write")
        if any(policy.state != "published" for policy in self):
            raise UserError(self.env._("Only published policies are archived."))
        self.sudo().write({"state": "archived"})
        self.sudo().activity_unlink([TASK_ACTIVITY_TYPE])
        return True

    def action_acknowledge(self):
        """The current user acknowledges having read this version of the policy."""
        self.check_access("read")
        user = self.env.user
        for policy in self:
            if policy.state != "published":
                raise UserError(self.env._("Only a published policy is acknowledged."))
            if policy._risk_acknowledged_by(user):
                continue
            # Nobody writes acknowledgements directly: this is the one way to create one.
            self.env["customer.risk.policy.acknowledgement"].sudo().create(
                {"policy_id": policy.id, "user_id": user.id}
            )
            policy.sudo().activity_feedback(
                [TASK_ACTIVITY_TYPE], user_id=user.id, feedback=self.env._("Acknowledged.")
            )
            policy._risk_post(
                body=self.env._("%(user)s acknowledged this policy.", user=user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True
