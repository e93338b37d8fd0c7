from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, format_date, formatLang

from .customer_risk_team_mixin import TASK_ACTIVITY_TYPE

MANAGER = "customer_risk.group_risk_manager"
# Context keys a client may send to silence the chatter, activities or delay mail: a release
# is a documented decision, so they are switched off here (mail is queued, never sent inside
# a transaction that may be retried).
QUIET_KEYS = (
    "tracking_disable",
    "mail_notrack",
    "mail_create_nolog",
    "mail_activity_automation_skip",
)


class CustomerRiskRelease(models.Model):
    """A credit manager's permission to confirm one blocked order up to an amount."""

    _name = "customer.risk.release"
    _description = "Credit Release"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # The requester discusses the request in its chatter without write access.
    _mail_post_access = "read"

    order_id = fields.Many2one(
        "sale.order",
        required=True,
        readonly=True,
        index=True,
        # Releases document decisions: a quotation that has one is cancelled, not deleted.
        ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    salesperson_id = fields.Many2one(related="order_id.user_id", string="Salesperson")
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount = fields.Monetary(
        string="Released Amount",
        required=True,
        readonly=True,
        help="The order is covered as long as its total stays at or below this amount.",
    )
    amount_company = fields.Monetary(
        string="Released Amount (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        help="Converted at the request date; approval authorities compare with it.",
    )
    credit_limit = fields.Monetary(
        string="Credit Limit at Request", currency_field="company_currency_id", readonly=True
    )
    exposure = fields.Monetary(
        string="Exposure at Request",
        currency_field="company_currency_id",
        readonly=True,
        help="Exposure of the customer without this order when the release was requested.",
    )
    reasons = fields.Text(string="Blocking Reasons", readonly=True)
    request_note = fields.Text(string="Justification")
    requested_by_id = fields.Many2one("res.users", readonly=True)
    date_requested = fields.Datetime(string="Requested On", readonly=True)
    first_approved_by_id = fields.Many2one(
        "res.users",
        string="First Approval By",
        readonly=True,
        help="A manager whose approval authority is below the amount: a second one with enough "
        "authority must approve.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    rejected_by_id = fields.Many2one("res.users", readonly=True)
    decision_note = fields.Text()
    date_decided = fields.Datetime(string="Decided On", readonly=True)
    valid_until = fields.Date(readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("expired", "Expired"),
            ("used", "Used"),
        ],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
    )
    is_requester = fields.Boolean(compute="_compute_is_requester")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A released amount cannot be negative."),
    ]

    def init(self):
        # One open request per order, even when two requests arrive at the same time.
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS customer_risk_release_open_order_uniq
                       ON customer_risk_release (order_id)
                    WHERE state IN ('pending', 'approved')"""
            )
        )

    @api.depends_context("uid")
    def _compute_is_requester(self):
        for release in self:
            release.is_requester = release.requested_by_id == self.env.user

    @api.depends("order_id.name", "amount", "currency_id")
    def _compute_display_name(self):
        for release in self:
            release.display_name = self.env._(
                "Release %(order)s (%(amount)s)",
                order=release.order_id.name or "",
                amount=formatLang(self.env, release.amount, currency_obj=release.currency_id),
            )

    # ------------------------------------------------------------------ guards

    @api.model_create_multi
    def create(self, vals_list):
        """Creating a release is requesting it: the figures come from the order, never from
        the client, which may only name the order and give a justification."""
        if not self.env.su:
            self.check_access("create")
        for vals in vals_list:
            if not self.env.su and set(vals) - {"order_id", "request_note"}:
                raise AccessError(self.env._("A credit release is requested from its quotation."))
            order = self.env["sale.order"].browse(vals.get("order_id"))
            if not order:
                raise UserError(self.env._("A credit release needs its order."))
            if not self.env.su:
                order.check_access("write")
            vals.update({**order._risk_release_request_vals(), **vals})
        # Releases just expired must reach the database before the unique index sees the new one.
        self.flush_model(["state"])
        releases = super(CustomerRiskRelease, self.sudo()._quiet_off()).create(vals_list)
        releases._notify_managers()
        return releases.with_env(self.env)

    def write(self, vals):
        """Notes are the only fields people write; the rest changes through the actions."""
        if self.env.su:
            return super().write(vals)
        user = self.env.user
        for name in vals:
            if name == "request_note":
                allowed = all(r.requested_by_id == user and r.state == "pending" for r in self)
            elif name == "decision_note":
                allowed = user.has_group(MANAGER) and all(r.state == "pending" for r in self)
            else:
                allowed = False
            if not allowed:
                raise AccessError(
                    self.env._(
                        "A credit release changes only through its Approve and Reject buttons; "
                        "the requester may edit the justification and a credit manager the "
                        "decision note while it is pending."
                    )
                )
        # The check above is the permission; salespeople's write ACL only opens the form
        # for the justification.
        return super(CustomerRiskRelease, self.sudo()).write(vals)

    def _quiet_off(self):
        return self.with_context(**dict.fromkeys(QUIET_KEYS, False), mail_notify_force_send=False)

    # ------------------------------------------------------------------ decisions

    def _check_decider(self):
        """Four eyes: a credit manager who is neither the requester nor the salesperson."""
        user = self.env.user
        if not user.has_group(MANAGER):
            raise AccessError(self.env._("Only credit managers decide on credit releases."))
        for release in self:
            if release.state != "pending":
                raise UserError(
                    self.env._("%(release)s is no longer pending.", release=release.display_name)
                )
            if user in release.requested_by_id | release.order_id.user_id:
                raise AccessError(
                    self.env._(
                        "You requested %(release)s or sell the order: another credit manager "
                        "decides on it.",
                        release=release.display_name,
                    )
                )
            if release.order_id.state not in ("draft", "sent"):
                raise UserError(
                    self.env._(
                        "Order %(order)s is no longer a quotation.", order=release.order_id.name
                    )
                )

    def action_approve(self):
        """Approve within the user's authority; above it, record a first approval and wait
        for a second manager whose authority covers the amount."""
        self._check_decider()
        user = self.env.user
        today = fields.Date.context_today(self)
        for release in self._quiet_off():
            authority = user.sudo().with_company(release.company_id).risk_release_max_amount
            if authority <= 0:
                raise AccessError(
                    self.env._(
                        "You have no authority to approve credit releases in %(company)s.",
                        company=release.company_id.name,
                    )
                )
            if user == release.first_approved_by_id:
                raise AccessError(
                    self.env._("You already approved it: a second credit manager must approve.")
                )
            currency = release.company_currency_id
            within = (
                float_compare(
                    release.amount_company, authority, precision_rounding=currency.rounding
                )
                <= 0
            )
            if not within and release.first_approved_by_id:
                raise AccessError(
                    self.env._(
                        "%(amount)s is above your approval authority of %(authority)s.",
                        amount=formatLang(self.env, release.amount_company, currency_obj=currency),
                        authority=formatLang(self.env, authority, currency_obj=currency),
                    )
                )
            if not within:
                release.sudo().first_approved_by_id = user
                release.activity_feedback([TASK_ACTIVITY_TYPE], user_id=user.id)
                release._risk_post(
                    body=self.env._(
                        "First approval by %(user)s; the amount is above their authority of "
                        "%(authority)s, so a second credit manager must approve.",
                        user=user.name,
                        authority=formatLang(self.env, authority, currency_obj=currency),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            valid_until = today + timedelta(days=release.company_id.risk_release_validity_days)
            release.sudo().write(
                {
                    "state": "approved",
                    "approved_by_id": user.id,
                    "date_decided": fields.Datetime.now(),
                    "valid_until": valid_until,
                }
            )
            release._close_and_notify(
                self.env._(
                    "Credit release approved by %(user)s, valid until %(date)s.",
                    user=user.name,
                    date=format_date(self.env, valid_until),
                )
            )
        return True

    def action_reject(self):
        self._check_decider()
        if not all(self.mapped("decision_note")):
            raise UserError(self.env._("Give the reason of the rejection in the decision note."))
        for release in self._quiet_off():
            release.sudo().write(
                {
                    "state": "rejected",
                    "rejected_by_id": self.env.uid,
                    "date_decided": fields.Datetime.now(),
                }
            )
            release._close_and_notify(
                self.env._("Credit release rejected by %(user)s.", user=self.env.user.name)
            )
        return True

    def _close_and_notify(self, summary):
        """Close the managers' To-Dos and tell the requester and the salesperson."""
        self.ensure_one()
        body = Markup("{}<br/>{}").format(summary, self.decision_note or "")
        # The To-Dos belong to other managers too: closing them is part of the decision.
        self.sudo().activity_feedback([TASK_ACTIVITY_TYPE], feedback=summary)
        recipients = (self.requested_by_id | self.order_id.user_id).partner_id
        self._risk_post(body=body, partner_ids=recipients.ids, subtype_xmlid="mail.mt_comment")

    # ------------------------------------------------------------------ life cycle

    def _notify_managers(self):
        """One To-Do per credit manager of the company who may decide on the request."""
        managers = self.env.ref(MANAGER).users - self.env.ref("base.user_root")
        for release in self:
            excluded = release.requested_by_id | release.order_id.user_id
            deciders = managers.filtered(
                lambda u, r=release, x=excluded: not u.share
                and r.company_id in u.company_ids
                and u not in x
            )
            for user in deciders:
                release.activity_schedule(
                    TASK_ACTIVITY_TYPE,
                    summary=self.env._("Decide on a credit release"),
                    note=release.reasons,
                    user_id=user.id,
                )
            release._risk_post(
                body=self.env._(
                    "Credit release requested by %(user)s for %(amount)s.",
                    user=release.requested_by_id.name,
                    amount=formatLang(self.env, release.amount, currency_obj=release.currency_id),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _covers(self, order):
        """Whether this release covers ``order`` as it is now (same currency, total within)."""
        self.ensure_one()
        return (
            self.currency_id == order.currency_id
            and float_compare(
                order.amount_total, self.amount, precision_rounding=self.currency_id.rounding
            )
            <= 0
        )

    def _mark_used(self):
        for release in self.sudo()._quiet_off():
            release.state = "used"
            release._risk_post(
                body=self.env._(
                    "Used to confirm %(order)s by %(user)s.",
                    order=release.order_id.name,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _expire(self, note):
        for release in self.sudo()._quiet_off():
            release.state = "expired"
            release.activity_unlink([TASK_ACTIVITY_TYPE])
            release._risk_post(
                body=note,
                partner_ids=release.requested_by_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def _expire_past_validity(self, today):
        """Approved releases of ``self`` past their validity can no longer be used."""
        stale = self.filtered(lambda r: r.state == "approved" and r.valid_until < today)
        stale._expire(self.env._("The credit release expired unused."))
        return stale

    @api.model
    def _cron_expire(self):
        today = fields.Date.context_today(self)
        self.sudo().search(
            [("state", "=", "approved"), ("valid_until", "<", today)]
        )._expire_past_validity(today)
