from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

# Fields of a customer's risk profile that change only through an approved limit request
# (or a confirmed assessment): direct writes are refused to every user.
FOUR_EYES_FIELDS = (
    "credit_limit",
    "use_partner_credit_limit",
    "risk_limit_manual",
    "risk_limit_reason",
    "risk_tier_id",
    "risk_hold",
    "risk_hold_reason",
)
# How changes of the profile are logged: one entry per event, with its fields' values.
LOGGED_EVENTS = {
    "limit_change": ("credit_limit", "risk_limit_manual", "risk_limit_reason"),
    "tier_change": ("risk_tier_id",),
    "hold_change": ("risk_hold", "risk_hold_reason"),
}
# A new customer's profile, as ``_risk_values`` gives it.
EMPTY_PROFILE = {
    "credit_limit": 0.0,
    "risk_limit_manual": False,
    "risk_limit_reason": None,
    "risk_tier_id": None,
    "risk_hold": False,
    "risk_hold_reason": None,
}

# The change of a risk profile being made by an authorized step of the server: the
# application or expiry of a limit request, the confirmation of an assessment. A context
# variable of this process, which no client can set (unlike context keys).
_PROFILE_CHANGE = ContextVar("customer_risk_audit_profile_change", default=None)
# During a follow-up batch: ids of its customers that may have a legal checklist to pass.
_FOLLOWUP_GATED = ContextVar("customer_risk_audit_followup_gated", default=None)


@contextmanager
def profile_change(reason=None, logged_by_caller=False):
    """Let the enclosed partner writes change the four-eyes fields. ``reason`` goes into
    the log entries of the changes; with ``logged_by_caller`` the caller logs the decision
    as one entry of its own and the changes are not logged again."""
    token = _PROFILE_CHANGE.set({"reason": reason, "logged": logged_by_caller})
    try:
        yield
    finally:
        _PROFILE_CHANGE.reset(token)


class ResPartner(models.Model):
    _inherit = "res.partner"

    risk_limit_request_ids = fields.One2many(
        "customer.risk.limit.request",
        "partner_id",
        string="Limit Requests",
        groups="customer_risk.group_risk_user",
    )
    risk_limit_request_count = fields.Integer(
        compute="_compute_risk_limit_request_count", groups="customer_risk.group_risk_user"
    )

    # ------------------------------------------------------------------ four eyes

    def _risk_check_write_access(self, vals):
        """With internal control, the limit, manual tier and hold of a customer change only
        through the application of an approved limit request, for every user and whatever
        the path or the context keys. Server code in superuser mode (Odoo copying the
        limit to a customer's contacts, automatic decisions) is not a client: it passes,
        and its changes are logged like any other."""
        res = super()._risk_check_write_access(vals)
        self._risk_check_four_eyes(vals)
        return res

    def _risk_prepare_limit_vals(self, vals):
        # A limit typed by a person turns into a manual limit here: check the values as
        # they will be written, not only as the client sent them.
        res = super()._risk_prepare_limit_vals(vals)
        self._risk_check_four_eyes(vals)
        return res

    def _risk_check_four_eyes(self, vals):
        if self.env.su or _PROFILE_CHANGE.get() is not None:
            return
        changed = self._risk_four_eyes_changes(vals)
        if changed:
            raise AccessError(
                self.env._(
                    "%(fields)s of a customer change only through an approved limit request "
                    "(button Request Limit Change on the customer's Credit Risk tab).",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in changed
                    ),
                )
            )

    def _risk_four_eyes_changes(self, vals):
        """Four-eyes fields ``vals`` would change on the commercial partners of ``self`` (on
        a new commercial partner: those ``vals`` fills). Contacts are left out: they carry
        a copy of their company's values, which Odoo synchronizes."""
        names = [name for name in FOUR_EYES_FIELDS if name in vals]
        if not names:
            return []
        if not self:
            is_contact = vals.get("parent_id") and not vals.get("is_company")
            return [] if is_contact else [name for name in names if vals[name]]
        changed = set()
        for partner in self.sudo():
            if partner != partner.commercial_partner_id:
                continue
            changed.update(name for name in names if partner._risk_differs(name, vals[name]))
        return [name for name in names if name in changed]

    def _risk_differs(self, name, value):
        self.ensure_one()
        field, current = self._fields[name], self[name]
        if field.type == "many2one":
            return current.id != (value or False)
        if field.type == "float":
            return float_compare(current or 0.0, float(value or 0.0), precision_digits=6) != 0
        if field.type == "boolean":
            return bool(current) != bool(value)
        return (current or False) != (value or False)

    # ------------------------------------------------------------------ log

    @api.model_create_multi
    def create(self, vals_list):
        """A customer created with a limit, tier or hold (only server code may) is logged
        as a change from an empty profile."""
        partners = super().create(vals_list)
        cause = _PROFILE_CHANGE.get()
        if cause and cause["logged"]:
            return partners
        Log = self.env["customer.risk.audit.log"]
        for partner, vals in zip(partners.sudo(), vals_list, strict=True):
            if not set(FOUR_EYES_FIELDS) & vals.keys() or partner != partner.commercial_partner_id:
                continue
            for event, event_fields in LOGGED_EVENTS.items():
                Log._risk_log_changes(
                    partner,
                    event,
                    {name: EMPTY_PROFILE[name] for name in event_fields},
                    reason=cause["reason"] if cause else partner._risk_own_reason(event),
                    company=self.env.company,
                )
        return partners

    def write(self, vals):
        """Every change of a customer's limit, tier or hold is logged once, with its values
        before and after, in the company it applies to, whatever the path."""
        cause = _PROFILE_CHANGE.get()
        if not set(FOUR_EYES_FIELDS) & vals.keys() or (cause and cause["logged"]):
            return super().write(vals)
        Log = self.env["customer.risk.audit.log"]
        names = [name for fields_ in LOGGED_EVENTS.values() for name in fields_]
        partners = self.sudo().filtered(lambda p: p == p.commercial_partner_id)
        before = {partner: Log._risk_values(partner, names) for partner in partners}
        res = super().write(vals)
        for partner in partners:
            for event, event_fields in LOGGED_EVENTS.items():
                reason = cause["reason"] if cause else partner._risk_own_reason(event)
                Log._risk_log_changes(
                    partner,
                    event,
                    {name: before[partner][name] for name in event_fields},
                    reason=reason,
                    company=self.env.company,
                )
        return res

    def _risk_own_reason(self, event):
        """The reason the profile itself gives for a change made outside a request."""
        self.ensure_one()
        if event == "limit_change":
            return self.risk_limit_reason or None
        if event == "hold_change":
            return self.risk_hold_reason or None
        return None

    # ------------------------------------------------------------------ requests

    @api.depends_context("company")
    def _compute_risk_limit_request_count(self):
        counts = dict(
            self.env["customer.risk.limit.request"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.risk_limit_request_count = counts.get(partner.commercial_partner_id, 0)

    def action_risk_view_limit_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk_audit.customer_risk_limit_request_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_risk_request_limit_change(self):
        """Open a new limit request for this customer in the current company."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.risk.limit.request",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_company_id": self.env.company.id,
            },
        }

    def action_risk_view_audit_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk_audit.customer_risk_audit_log_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ follow-up gate

    def _followup_blocker(self, state, level, trigger, today):
        """A level that escalates (to legal, to a named person) waits for the customer's
        "Follow-up Escalation to Legal" checklist when the company uses one: the run
        reports it as blocked, like a postponement, and the next run tries it again. Each
        escalation has its own checklist: one that let an escalation pass is not used
        again."""
        reason = super()._followup_blocker(state, level, trigger, today)
        if reason or not level.escalate:
            return reason
        gated = _FOLLOWUP_GATED.get()
        if gated is not None and self.id not in gated:
            return None
        Check = self.env["customer.risk.control.check"].sudo()
        for check in Check._risk_checklist_for(self, "followup_legal", undecided=True):
            missing = check._risk_gate_problems(self.env.user)
            if missing:
                return self.env._(
                    "escalation waits for the checklist %(checklist)s (%(missing)s)",
                    checklist=check.display_name,
                    missing="; ".join(missing),
                )
            if not check.gate_passed_on:
                check.write(
                    {"gate_passed_on": fields.Datetime.now(), "gate_passed_by_id": self.env.uid}
                )
        return None

    def _followup_process_many(self, states, trigger, company, today, outcome):
        """The customers that may have a legal checklist to pass are found for the whole
        batch at once: the others need no look-up each in ``_followup_blocker``."""
        token = _FOLLOWUP_GATED.set(self._followup_legal_gated())
        try:
            return super()._followup_process_many(states, trigger, company, today, outcome)
        finally:
            _FOLLOWUP_GATED.reset(token)

    def _followup_legal_gated(self):
        """Ids of customers ``self`` with an undecided "Follow-up Escalation to Legal" checklist, or
        whose company has an active template for one (``_risk_checklist_for`` would
        create it)."""
        Check = self.env["customer.risk.control.check"].sudo()
        Template = self.env["customer.risk.control.template"]
        gated = set(
            Check.search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("control_point", "=", "followup_legal"),
                    ("gate_passed_on", "=", False),
                ]
            ).mapped("res_id")
        )
        templated = {}
        for partner in self:
            company = Check._risk_company_of(partner)
            if company not in templated:
                templated[company] = bool(Template._risk_template_for("followup_legal", company))
            if templated[company]:
                gated.add(partner.id)
        return gated

    def action_open_followup_legal_check(self):
        """The customer's checklist before its next follow-up escalation, created from the
        active template if needed."""
        self.ensure_one()
        return self.env["customer.risk.control.check"]._risk_open_for(
            self.commercial_partner_id, "followup_legal", undecided=True
        )
