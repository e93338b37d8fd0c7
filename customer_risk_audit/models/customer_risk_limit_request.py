from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, format_date, formatLang

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.customer_risk.models.customer_risk_team_mixin import TASK_ACTIVITY_TYPE

from .res_partner import profile_change

MANAGER = "customer_risk.group_risk_manager"
# Fields the proposer fills; everything else changes through the buttons.
PROPOSAL_FIELDS = frozenset(
    {
        "partner_id",
        "company_id",
        "kind",
        "new_credit_limit",
        "new_limit_manual",
        "new_tier_id",
        "new_hold",
        "reason",
        "date_expiry",
    }
)
# Context keys a client may send to silence the chatter or activities: the request is a
# documented decision, so they are switched off.
QUIET_KEYS = (
    "tracking_disable",
    "mail_notrack",
    "mail_create_nolog",
    "mail_activity_automation_skip",
)


class CustomerRiskLimitRequest(models.Model):
    """A four-eyes change of a customer's credit limit, manual tier or credit hold: proposed
    with a reason, approved by another credit manager, then applied; a temporary change
    reverts by itself after its expiry date. With this addon installed it is the only way a
    person changes these fields."""

    _name = "customer.risk.limit.request"
    _description = "Credit Limit Change Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "customer.risk.control.mixin",
        "customer.risk.customer.mixin",
    ]
    _order = "id desc"
    _risk_control_point = "limit_change_approval"
    _check_company_auto = True
    # Officers discuss their requests in the chatter once submitted.
    _mail_post_access = "read"

    name = fields.Char(readonly=True, copy=False, default=lambda self: self.env._("New"))
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
    kind = fields.Selection(
        [("limit", "Credit limit"), ("tier", "Risk tier"), ("hold", "Credit hold")],
        string="Change",
        required=True,
        default="limit",
        tracking=True,
    )
    new_credit_limit = fields.Monetary(tracking=True)
    new_limit_manual = fields.Boolean(
        string="Manual Limit",
        default=True,
        help="Assessments keep a manual limit; otherwise the next confirmed assessment "
        "replaces it with its tier's limit.",
    )
    new_tier_id = fields.Many2one(
        "customer.risk.tier", string="New Risk Tier", tracking=True, check_company=True
    )
    new_hold = fields.Boolean(
        string="Put on Hold", help="Set: put the customer on credit hold; unset: lift the hold."
    )
    reason = fields.Text(required=True, tracking=True)
    date_expiry = fields.Date(
        string="Valid Until",
        tracking=True,
        help="For a temporary change: the day after, the customer's previous value comes "
        "back by itself.",
    )
    # The customer's values when the request was submitted.
    current_credit_limit = fields.Monetary(string="Credit Limit Before", readonly=True)
    current_limit_manual = fields.Boolean(string="Manual Limit Before", readonly=True)
    current_limit_reason = fields.Char(string="Limit Reason Before", readonly=True)
    current_tier_id = fields.Many2one("customer.risk.tier", string="Tier Before", readonly=True)
    current_hold = fields.Boolean(string="Hold Before", readonly=True)
    current_hold_reason = fields.Char(string="Hold Reason Before", readonly=True)
    proposer_id = fields.Many2one(
        "res.users", string="Proposed By", readonly=True, default=lambda self: self.env.user
    )
    date_submitted = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    rejected_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_decided = fields.Datetime(string="Decided On", readonly=True, copy=False)
    decision_note = fields.Text(copy=False)
    applied_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_applied = fields.Datetime(string="Applied On", readonly=True, copy=False)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("applied", "Applied"),
            ("expired", "Expired"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    is_proposer = fields.Boolean(compute="_compute_is_proposer")

    @api.depends_context("uid")
    def _compute_is_proposer(self):
        for request in self:
            request.is_proposer = request.proposer_id == self.env.user

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for request in self:
            request.display_name = self.env._(
                "%(name)s (%(customer)s)",
                name=request.name or "",
                customer=request.partner_id.display_name or "",
            )

    # ------------------------------------------------------------------ guards

    @api.model_create_multi
    def create(self, vals_list):
        """A person proposes a change; who proposes, the state and the figures before are
        the server's, never the client's."""
        for vals in vals_list:
            self._risk_check_amount_vals(vals, ["new_credit_limit"])
        if not self.env.su:
            for vals in vals_list:
                if set(vals) - PROPOSAL_FIELDS:
                    raise AccessError(
                        self.env._(
                            "A limit request is proposed with its customer, change, new "
                            "value, reason and expiry; the rest is set by its buttons."
                        )
                    )
                vals["proposer_id"] = self.env.uid
        for vals in vals_list:
            vals["name"] = (
                self.env["ir.sequence"].sudo().next_by_code("customer.risk.limit.request")
            )
        return super().create(vals_list)

    def write(self, vals):
        """The proposer edits a draft; a credit manager writes the decision note of a
        submitted request; everything else changes through the buttons."""
        self._risk_check_amount_vals(vals, ["new_credit_limit"])
        if self.env.su:
            return super().write(vals)
        user = self.env.user
        for name in vals:
            if name.startswith(("message_", "activity_")):
                continue
            if name in PROPOSAL_FIELDS:
                allowed = all(r.state == "draft" and r.proposer_id == user for r in self)
            elif name == "decision_note":
                allowed = user.has_group(MANAGER) and all(r.state == "submitted" for r in self)
            else:
                allowed = False
            if not allowed:
                raise AccessError(
                    self.env._(
                        "A limit request changes through its buttons: its proposer edits it "
                        "while in draft, a credit manager writes the decision note while it "
                        "is submitted."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_only_drafts(self):
        # Checked at uninstallation too: the flag that skips such checks is a context key a
        # client could send. Uninstalling runs in superuser mode, which no client reaches.
        if self.env.su and self.env.context.get(MODULE_UNINSTALL_FLAG):
            return
        if any(r.state != "draft" for r in self):
            raise UserError(
                self.env._("Only draft limit requests can be deleted: the others are decisions.")
            )

    def _quiet_off(self):
        return self.with_context(**dict.fromkeys(QUIET_KEYS, False), mail_notify_force_send=False)

    def _partner_in_company(self):
        self.ensure_one()
        return self.partner_id.sudo().with_company(self.company_id)

    # ------------------------------------------------------------------ values

    def _profile_fields(self):
        """The customer's fields this request changes."""
        self.ensure_one()
        return {
            "limit": ["credit_limit", "risk_limit_manual", "risk_limit_reason"],
            "tier": ["risk_tier_id"],
            "hold": ["risk_hold", "risk_hold_reason"],
        }[self.kind]

    def _new_values(self):
        """What applying the request writes on the customer."""
        self.ensure_one()
        if self.kind == "limit":
            return {
                "credit_limit": self.new_credit_limit,
                "risk_limit_manual": self.new_limit_manual,
                "risk_limit_reason": self.reason,
            }
        if self.kind == "tier":
            return {"risk_tier_id": self.new_tier_id.id}
        return {"risk_hold": self.new_hold, "risk_hold_reason": self.new_hold and self.reason}

    def _previous_values(self):
        """What the expiry of a temporary request writes back: the values at submission."""
        self.ensure_one()
        if self.kind == "limit":
            return {
                "credit_limit": self.current_credit_limit,
                "risk_limit_manual": self.current_limit_manual,
                "risk_limit_reason": self.current_limit_reason,
            }
        if self.kind == "tier":
            return {"risk_tier_id": self.current_tier_id.id}
        return {
            "risk_hold": self.current_hold,
            "risk_hold_reason": self.current_hold and self.current_hold_reason,
        }

    def _proposal_values(self):
        """The proposed change as the audit log shows it."""
        self.ensure_one()
        Log = self.env["customer.risk.audit.log"]
        names = {
            "limit": ["new_credit_limit", "new_limit_manual"],
            "tier": ["new_tier_id"],
            "hold": ["new_hold"],
        }[self.kind]
        return Log._risk_values(self, [*names, "date_expiry"])

    def _check_proposal(self, today):
        self.ensure_one()
        partner = self._partner_in_company()
        currency = self.currency_id
        if self.kind == "limit":
            if float_compare(self.new_credit_limit, 0.0, precision_rounding=currency.rounding) < 0:
                raise UserError(self.env._("A credit limit cannot be negative."))
            unchanged = (
                float_compare(
                    self.new_credit_limit,
                    partner.credit_limit,
                    precision_rounding=currency.rounding,
                )
                == 0
                and self.new_limit_manual == partner.risk_limit_manual
            )
        elif self.kind == "tier":
            if not self.new_tier_id:
                raise UserError(self.env._("Choose the new risk tier."))
            unchanged = self.new_tier_id == partner.risk_tier_id
        else:
            unchanged = self.new_hold == partner.risk_hold
        if unchanged:
            raise UserError(
                self.env._(
                    "%(request)s changes nothing: the customer already has these values.",
                    request=self.display_name,
                )
            )
        if self.date_expiry and self.date_expiry < today:
            raise UserError(self.env._("The expiry date of a temporary change cannot be past."))
        others = self.sudo().search_count(
            [
                ("id", "!=", self.id),
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("kind", "=", self.kind),
                ("state", "in", ("submitted", "approved")),
            ],
            limit=1,
        )
        if others:
            raise UserError(
                self.env._(
                    "%(customer)s already has a pending request of this kind: decide on it "
                    "first.",
                    customer=self.partner_id.display_name,
                )
            )

    # ------------------------------------------------------------------ actions

    def action_submit(self):
        """Freeze the proposal with the customer's current values and ask the other credit
        managers to decide."""
        user = self.env.user
        today = fields.Date.context_today(self)
        for request in self:
            if request.state != "draft":
                raise UserError(
                    self.env._("%(request)s is already submitted.", request=request.display_name)
                )
            if not self.env.su and request.proposer_id != user:
                raise AccessError(self.env._("Only its proposer submits a limit request."))
            request._check_proposal(today)
        Log = self.env["customer.risk.audit.log"]
        for request in self._quiet_off():
            partner = request._partner_in_company()
            request.sudo().write(
                {
                    "state": "submitted",
                    "date_submitted": fields.Datetime.now(),
                    "current_credit_limit": partner.credit_limit,
                    "current_limit_manual": partner.risk_limit_manual,
                    "current_limit_reason": partner.risk_limit_reason,
                    "current_tier_id": partner.risk_tier_id.id,
                    "current_hold": partner.risk_hold,
                    "current_hold_reason": partner.risk_hold_reason,
                }
            )
            Log._risk_log(
                request,
                "limit_request_submitted",
                before=Log._risk_values(partner, request._profile_fields()),
                after=request._proposal_values(),
                reason=request.reason,
            )
            request._notify_managers()
        return True

    def _notify_managers(self):
        """One To-Do per credit manager of the company other than the proposer."""
        self.ensure_one()
        managers = self.env.ref(MANAGER).users - self.env.ref("base.user_root")
        deciders = managers.filtered(
            lambda u: not u.share and self.company_id in u.company_ids and u != self.proposer_id
        )
        # In superuser mode, like the chatter posts: a proposer without an email address
        # still gets the request to the managers.
        for user in deciders:
            self.sudo().activity_schedule(
                TASK_ACTIVITY_TYPE,
                summary=self.env._("Decide on a limit request"),
                note=self.reason,
                user_id=user.id,
            )
        self._risk_post(
            body=self.env._(
                "Limit request submitted by %(user)s: %(change)s.",
                user=self.proposer_id.name,
                change=self._change_text(),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _change_text(self):
        self.ensure_one()
        if self.kind == "limit":
            text = self.env._(
                "credit limit %(before)s → %(after)s",
                before=formatLang(
                    self.env, self.current_credit_limit, currency_obj=self.currency_id
                ),
                after=formatLang(self.env, self.new_credit_limit, currency_obj=self.currency_id),
            )
        elif self.kind == "tier":
            text = self.env._(
                "risk tier %(before)s → %(after)s",
                before=self.current_tier_id.display_name or self.env._("none"),
                after=self.new_tier_id.display_name,
            )
        elif self.new_hold:
            text = self.env._("put on credit hold")
        else:
            text = self.env._("lift the credit hold")
        if self.date_expiry:
            text = self.env._(
                "%(change)s until %(date)s",
                change=text,
                date=format_date(self.env, self.date_expiry),
            )
        return text

    def _check_decider(self):
        """Four eyes: a credit manager of the request's company other than its proposer."""
        user = self.env.user
        if not user.has_group(MANAGER):
            raise AccessError(self.env._("Only credit managers decide on limit requests."))
        for request in self:
            if request.state != "submitted":
                raise UserError(
                    self.env._(
                        "%(request)s is not waiting for a decision.", request=request.display_name
                    )
                )
            if request.proposer_id == user:
                raise AccessError(
                    self.env._(
                        "You proposed %(request)s: another credit manager decides on it.",
                        request=request.display_name,
                    )
                )
            if request.company_id not in user.company_ids:
                raise AccessError(
                    self.env._(
                        "You are not a credit manager of %(company)s.",
                        company=request.company_id.name,
                    )
                )

    def _risk_check_approval(self):
        """Beyond four eyes: the approver's qualification (when the company requires it)
        and the request's control checklist."""
        self.ensure_one()
        self.env.user._risk_check_qualified(self.company_id, self._risk_control_point)
        self._risk_control_gate()

    def action_approve(self):
        self._check_decider()
        for request in self:
            request._risk_check_approval()
        Log = self.env["customer.risk.audit.log"]
        for request in self._quiet_off():
            request.sudo().write(
                {
                    "state": "approved",
                    "approver_id": self.env.uid,
                    "date_decided": fields.Datetime.now(),
                }
            )
            Log._risk_log(
                request,
                "limit_request_approved",
                before={"state": "submitted"},
                after={"state": "approved", **request._proposal_values()},
                reason=request.decision_note,
            )
            request._close_and_notify(self.env._("Approved by %(user)s.", user=self.env.user.name))
        return True

    def action_reject(self):
        self._check_decider()
        if not all(self.mapped("decision_note")):
            raise UserError(self.env._("Give the reason of the rejection in the decision note."))
        Log = self.env["customer.risk.audit.log"]
        for request in self._quiet_off():
            request.sudo().write(
                {
                    "state": "rejected",
                    "rejected_by_id": self.env.uid,
                    "date_decided": fields.Datetime.now(),
                }
            )
            Log._risk_log(
                request,
                "limit_request_rejected",
                before={"state": "submitted"},
                after={"state": "rejected"},
                reason=request.decision_note,
            )
            request._close_and_notify(self.env._("Rejected by %(user)s.", user=self.env.user.name))
        return True

    def _close_and_notify(self, summary):
        self.ensure_one()
        body = Markup("{}<br/>{}").format(summary, self.decision_note or "")
        # The To-Dos belong to other managers too: closing them is part of the decision.
        self.sudo().activity_feedback([TASK_ACTIVITY_TYPE], feedback=summary)
        self._risk_post(
            body=body, partner_ids=self.proposer_id.partner_id.ids, subtype_xmlid="mail.mt_comment"
        )

    def action_apply(self):
        """Write the approved values on the customer: the only way, with this addon, a
        person changes a limit, a manual tier or a hold. Applying is a credit manager's
        step (the customer's protected fields are theirs)."""
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only credit managers apply limit requests."))
        for request in self:
            if request.state != "approved":
                raise UserError(
                    self.env._("%(request)s is not approved.", request=request.display_name)
                )
        for request in self._quiet_off():
            partner = request.partner_id.with_company(request.company_id)
            with profile_change(reason=request._log_reason()):
                partner.write(request._new_values())
            partner.sudo()._risk_refresh_snapshot(request.company_id)
            request.sudo().write(
                {
                    "state": "applied",
                    "applied_by_id": self.env.uid,
                    "date_applied": fields.Datetime.now(),
                }
            )
            summary = self.env._(
                "Limit request %(request)s applied by %(user)s: %(change)s.",
                request=request._get_html_link(),
                user=self.env.user.name,
                change=request._change_text(),
            )
            request._risk_post(body=summary, subtype_xmlid="mail.mt_note")
            partner._risk_post(body=summary)
        return True

    def _log_reason(self):
        self.ensure_one()
        return self.env._(
            "%(request)s, approved by %(approver)s: %(reason)s",
            request=self.name,
            approver=self.approver_id.name,
            reason=self.reason,
        )

    # ------------------------------------------------------------------ expiry

    def _expire(self):
        """Revert temporary changes past their expiry date to the customer's values at
        submission, unless a later decision changed them since (that one is kept)."""
        for request in self.sudo()._quiet_off():
            partner = request._partner_in_company()
            revert = not any(
                partner._risk_differs(name, value) for name, value in request._new_values().items()
            )
            if revert:
                with profile_change(
                    reason=self.env._(
                        "%(request)s expired on %(date)s: back to the values before it.",
                        request=request.name,
                        date=format_date(self.env, request.date_expiry),
                    )
                ):
                    partner.write(request._previous_values())
                partner._risk_refresh_snapshot(request.company_id)
            request.state = "expired"
            body = (
                self.env._(
                    "Temporary change %(request)s expired: the previous values are back.",
                    request=request._get_html_link(),
                )
                if revert
                else self.env._(
                    "Temporary change %(request)s expired; the customer's values changed since "
                    "it was applied and are kept.",
                    request=request._get_html_link(),
                )
            )
            request._risk_post(body=body, subtype_xmlid="mail.mt_note")
            partner._risk_post(body=body)

    @api.model
    def _expire_todo(self, today, limit):
        """Applied temporary requests past their expiry date, locked with SKIP LOCKED so two
        runs share the work instead of reverting twice."""
        self.flush_model(["state", "date_expiry"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM customer_risk_limit_request
                    WHERE state = 'applied' AND date_expiry < %(today)s
                    ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED""",
                today=today,
                limit=limit,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _cron_expire(self, chunk_size=100):
        """Daily: revert the temporary changes that expired, chunk by chunk; each chunk
        commits, so a crash resumes with the requests still applied."""
        today = fields.Date.context_today(self)
        while True:
            requests = self._expire_todo(today, chunk_size)
            if not requests:
                break
            requests._expire()
            self.env["ir.cron"]._notify_progress(
                done=len(requests), remaining=len(requests) if len(requests) == chunk_size else 0
            )
            # Batch job: commit per chunk so a crash keeps the reverted requests (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit
