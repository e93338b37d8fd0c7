import json
import logging

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date, formatLang, mute_logger

from .. import tools
from .customer_risk_alert_rule import SEVERITIES
from .customer_risk_team_mixin import TASK_ACTIVITY_TYPE

_logger = logging.getLogger(__name__)

OFFICER = "customer_risk.group_risk_officer"
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
# What people may write on an alert; the rest changes through its actions or the rules.
EDITABLE = frozenset({"user_id", "note"})


class CustomerRiskAlert(models.Model):
    """An early warning about one customer in one company, raised by a rule. At most one
    alert per customer, rule and company is open (new or acknowledged) at a time."""

    _name = "customer.risk.alert"
    _description = "Early-Warning Alert"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.risk.officer.mixin"]
    _order = "severity_rank desc, date_raised desc, id desc"
    _check_company_auto = True
    _rec_name = "rule_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    rule_id = fields.Many2one(
        "customer.risk.alert.rule", required=True, readonly=True, ondelete="restrict"
    )
    rule_code = fields.Selection(related="rule_id.code", store=True, index=True)
    severity = fields.Selection(
        SEVERITIES, required=True, readonly=True, tracking=True, group_expand="_group_severity"
    )
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True)
    message = fields.Text(readonly=True)
    figures = fields.Text(readonly=True, help="The figures that raised the alert.")
    state = fields.Selection(
        [("new", "New"), ("acknowledged", "Acknowledged"), ("resolved", "Resolved")],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, domain="[('share', '=', False)]"
    )
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    note = fields.Text(help="What was done about the alert.")
    date_raised = fields.Datetime(
        string="Raised On", required=True, readonly=True, default=fields.Datetime.now
    )
    date_updated = fields.Datetime(string="Figures Updated On", readonly=True)
    acknowledged_by_id = fields.Many2one("res.users", readonly=True)
    date_acknowledged = fields.Datetime(string="Acknowledged On", readonly=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    date_resolved = fields.Datetime(string="Resolved On", readonly=True)
    digest_sent = fields.Boolean(
        readonly=True, copy=False, help="Listed in the credit officers' daily digest."
    )

    def init(self):
        # One open alert per customer, rule and company, even when two runs raise it at once.
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS customer_risk_alert_open_uniq
                       ON customer_risk_alert (partner_id, rule_code, company_id)
                    WHERE state != 'resolved'"""
            )
        )

    @api.depends("severity")
    def _compute_severity_rank(self):
        for alert in self:
            alert.severity_rank = SEVERITY_RANK.get(alert.severity, 0)

    @api.depends("rule_id", "partner_id")
    def _compute_display_name(self):
        for alert in self:
            alert.display_name = self.env._(
                "%(rule)s: %(customer)s",
                rule=alert.rule_id.name or "",
                customer=alert.partner_id.display_name or "",
            )

    @api.model
    def _group_severity(self, values, domain):
        """Kanban columns: every severity, the most severe first."""
        return [key for key, _label in reversed(SEVERITIES)]

    # ------------------------------------------------------------------ integrity

    @api.model_create_multi
    def create(self, vals_list):
        # Alerts are raised by the rules (_risk_raise), never typed in.
        if not self.env.su:
            raise AccessError(self.env._("Early-warning alerts are raised by their rules."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            changed = {n for n in vals if not n.startswith(("message_", "activity_"))}
            if changed - EDITABLE:
                raise AccessError(
                    self.env._(
                        "An alert changes through its Acknowledge and Resolve buttons; only "
                        "its responsible and note are edited."
                    )
                )
            self._check_officer()
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    def action_acknowledge(self):
        """The officer has seen the alert and follows it: their To-Do is done."""
        self._check_officer()
        if any(alert.state != "new" for alert in self):
            raise UserError(self.env._("Only new alerts can be acknowledged."))
        self.sudo().write(
            {
                "state": "acknowledged",
                "acknowledged_by_id": self.env.uid,
                "date_acknowledged": fields.Datetime.now(),
            }
        )
        for alert in self:
            alert.sudo().activity_feedback([TASK_ACTIVITY_TYPE])
            alert._risk_post(
                body=self.env._("Acknowledged by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_resolve(self):
        self._check_officer()
        if any(alert.state == "resolved" for alert in self):
            raise UserError(self.env._("This alert is already resolved."))
        self._risk_close(self.env._("Resolved by %(user)s.", user=self.env.user.name), manual=True)
        return True

    def _risk_close(self, body, manual=False):
        """Resolve open alerts ``self`` and say why in their chatter."""
        if not self:
            return
        self.sudo().write(
            {
                "state": "resolved",
                "resolved_by_id": self.env.uid,
                "date_resolved": fields.Datetime.now(),
            }
        )
        for alert in self.sudo():
            if manual:
                alert.activity_feedback([TASK_ACTIVITY_TYPE])
            else:
                alert.activity_unlink([TASK_ACTIVITY_TYPE])
            alert._risk_post(body=body, subtype_xmlid="mail.mt_note")

    def action_open_partner(self):
        self.ensure_one()
        return self.partner_id.get_formview_action()

    # ------------------------------------------------------------------ API

    @api.model
    def _risk_raise(self, partner, rule_code, message, company=None, severity=None, values=None):
        """Raise the alert of rule ``rule_code`` for ``partner`` (its commercial partner) in
        ``company`` (the current one by default) and return it.

        The open alert of that customer, rule and company is updated when there is one;
        otherwise a new alert is created with a To-Do for the rule's responsible, else the
        company's first credit officer. ``severity`` overrides the rule's; ``values`` are the
        figures behind the alert. Returns an empty recordset when the rule is archived in
        that company, or when a concurrent transaction has just raised the same alert.
        """
        company = company or self.env.company
        alerts = self._risk_raise_many(company, [(partner, rule_code, message, severity, values)])
        return alerts.with_env(self.env)

    @api.model
    def _risk_resolve(self, partner, rule_code, company=None):
        """Resolve the open alert of ``rule_code`` for ``partner`` in ``company`` because its
        condition is gone; returns the alerts resolved."""
        company = company or self.env.company
        return self._risk_resolve_many(company, [(partner, rule_code)]).with_env(self.env)

    @api.model
    def _risk_raise_many(self, company, items):
        """Batch form of ``_risk_raise`` for one company: ``items`` are
        ``(partner, rule code, message, severity or None, values or None)``."""
        rules = self.env["customer.risk.alert.rule"]._risk_rules(company)
        wanted = {}
        for partner, code, message, severity, values in items:
            if code in rules:
                wanted[(partner.commercial_partner_id.id, code)] = (message, severity, values)
        Alert = self.sudo()
        if not wanted:
            return Alert
        open_alerts = Alert._risk_open_alerts(
            company, {key[0] for key in wanted}, {key[1] for key in wanted}
        )
        now = fields.Datetime.now()
        result = Alert
        to_create = []
        for (partner_id, code), (message, severity, values) in wanted.items():
            rule = rules[code]
            figures = json.dumps(values or {}, sort_keys=True, default=str)
            alert = open_alerts.get((partner_id, code))
            if alert:
                vals = {"message": message, "figures": figures}
                if severity:
                    vals["severity"] = severity
                vals = {k: v for k, v in vals.items() if alert[k] != v}
                if vals:
                    alert.write({**vals, "date_updated": now})
                result |= alert
                continue
            to_create.append(
                {
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "rule_id": rule.id,
                    "severity": severity or rule.severity,
                    "message": message,
                    "figures": figures,
                    "date_raised": now,
                    "user_id": rule._risk_responsible(company).id,
                }
            )
        created = Alert._risk_create_alerts(to_create)
        for alert in created:
            alert.activity_schedule(
                TASK_ACTIVITY_TYPE,
                date_deadline=fields.Date.context_today(alert),
                summary=alert.rule_id.name,
                note=alert.message,
                user_id=alert.user_id.id,
            )
        return result | created

    @api.model
    def _risk_create_alerts(self, vals_list):
        """Create alerts; those a concurrent transaction has just raised (the unique index
        says so) are left to it."""
        if not vals_list:
            return self.browse()
        # The conflict is expected under concurrency: keep it out of the error log.
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return self.create(vals_list)
        except UniqueViolation:
            alerts = self.browse()
            for vals in vals_list:
                try:
                    # The index is checked when the savepoint flushes, after create returns.
                    with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                        alert = self.create(vals)
                except UniqueViolation:
                    _logger.info(
                        "Alert %s of partner %s was raised by a concurrent transaction",
                        vals["rule_id"],
                        vals["partner_id"],
                    )
                    continue
                alerts |= alert
            return alerts

    @api.model
    def _risk_resolve_many(self, company, pairs, body=None):
        """Resolve the open alerts of ``(partner, rule code)`` pairs in ``company``."""
        wanted = {(partner.commercial_partner_id.id, code) for partner, code in pairs}
        if not wanted:
            return self.sudo()
        open_alerts = self.sudo()._risk_open_alerts(
            company, {key[0] for key in wanted}, {key[1] for key in wanted}
        )
        alerts = self.sudo().browse(
            [alert.id for key, alert in open_alerts.items() if key in wanted]
        )
        alerts._risk_close(body or self.env._("Resolved automatically: the condition is gone."))
        return alerts

    @api.model
    def _risk_open_alerts(self, company, partner_ids, codes):
        alerts = self.search(
            [
                ("partner_id", "in", list(partner_ids)),
                ("rule_code", "in", list(codes)),
                ("company_id", "=", company.id),
                ("state", "!=", "resolved"),
            ]
        )
        return {(alert.partner_id.id, alert.rule_code): alert for alert in alerts}

    # ------------------------------------------------------------------ rules

    @api.model
    def _risk_evaluate(self, partners, company, today, parts=None):
        """Raise the alerts whose rules commercial partners ``partners`` meet in
        ``company`` on ``today`` and resolve those of state rules no longer met.

        One query per figure for the whole batch (``parts``: their exposure, when the
        caller has it); the figures of the previous run come from the partners' monitoring
        fields (see ``res.partner._risk_monitor``).
        """
        rules = self.env["customer.risk.alert.rule"]._risk_rules(company)
        evaluated = set(tools.STATE_RULES) | set(tools.EVENT_RULES)
        thresholds = {code: rule.threshold for code, rule in rules.items() if code in evaluated}
        partners = partners.commercial_partner_id.sudo().with_company(company)
        if not thresholds or not partners:
            return
        parts = parts or partners._risk_exposure_parts(company, today)
        included = partners._risk_exposure_settings(company)
        coverage = self.env["customer.risk.contract"]._risk_coverage_end(partners, company, today)
        obligations = self.env["customer.risk.contract.obligation"]._risk_oldest_due(
            partners, company
        )
        screening = partners._risk_screening_valid_until(company)
        raised, gone = [], []
        for partner in partners:
            exp = parts[partner.id]
            tier, previous_tier = partner.risk_tier_id, partner.risk_monitor_tier_id
            seen = bool(partner.risk_monitor_date)
            figures = tools.AlertFigures(
                today=today,
                rounding=company.currency_id.rounding,
                limit=partner.credit_limit,
                exposure=exp.total(included),
                overdue=exp.overdue,
                max_days_overdue=exp.max_days_overdue,
                previous_overdue=partner.risk_monitor_overdue if seen else None,
                tier_rank=tier.sequence if tier else None,
                previous_tier_rank=previous_tier.sequence if seen and previous_tier else None,
                screening_state=partner.risk_screening_state or None,
                screening_valid_until=screening.get(partner.id),
                review_date=partner.risk_review_date or None,
                contract_end=coverage.get(partner.id),
                obligation_due=obligations.get(partner.id),
            )
            met = tools.alert_conditions(figures, thresholds)
            for code, values in met.items():
                if code == "tier_downgrade":
                    values.update(tier=tier.name, previous_tier=previous_tier.name)
                message = self._risk_message(
                    code, {**values, "threshold": thresholds[code]}, company
                )
                raised.append((partner, code, message, None, values))
            gone.extend(
                (partner, code)
                for code in thresholds
                if code in tools.STATE_RULES and code not in met
            )
        self._risk_raise_many(company, raised)
        self._risk_resolve_many(company, gone)

    @api.model
    def _risk_message(self, code, values, company):
        """The human message of an alert from its figures, amounts in ``company``'s
        currency; other code raising alerts writes its own."""
        currency = company.currency_id

        def money(key):
            return formatLang(self.env, values[key], currency_obj=currency)

        def date(key):
            return format_date(self.env, values[key])

        def screening():
            if values.get("state") == "expired":
                return self.env._("The customer's screening has expired.")
            if values["days_left"] < 0:
                return self.env._(
                    "The customer's screening expired on %(date)s.", date=date("valid_until")
                )
            return self.env._(
                "The customer's screening expires on %(date)s, in %(days)s days.",
                date=date("valid_until"),
                days=values["days_left"],
            )

        messages = {
            "limit_utilization": lambda: self.env._(
                "Exposure %(exposure)s uses %(utilization)s%% of the credit limit of %(limit)s "
                "(threshold %(threshold)s%%).",
                exposure=money("exposure"),
                utilization=format(values["utilization"], "g"),
                limit=money("limit"),
                threshold=format(values["threshold"], "g"),
            ),
            "overdue_days": lambda: self.env._(
                "The oldest overdue item is %(days)s days overdue (threshold %(threshold)s days).",
                days=values["days"],
                threshold=format(values["threshold"], "g"),
            ),
            "overdue_jump": lambda: self.env._(
                "Overdue receivables rose from %(previous)s to %(overdue)s (+%(percent)s%%, "
                "threshold %(threshold)s%%) since the previous check.",
                previous=money("previous"),
                overdue=money("overdue"),
                percent=format(values["increase_percent"], "g"),
                threshold=format(values["threshold"], "g"),
            ),
            "tier_downgrade": lambda: self.env._(
                "The customer's risk tier dropped from %(previous)s to %(tier)s.",
                previous=values["previous_tier"],
                tier=values["tier"],
            ),
            "screening": screening,
            "review_overdue": lambda: self.env._(
                "The credit review was due on %(date)s, %(days)s days ago.",
                date=date("review_date"),
                days=values["days"],
            ),
            "contract_expiring": lambda: self.env._(
                "The customer's contract coverage ends on %(date)s, in %(days)s days.",
                date=date("date_end"),
                days=values["days_left"],
            ),
            "obligation_overdue": lambda: self.env._(
                "A contract obligation was due on %(date)s and is still open after %(days)s "
                "days.",
                date=date("due_date"),
                days=values["days"],
            ),
        }
        return messages[code]()

    # ------------------------------------------------------------------ digest

    @api.model
    def _cron_send_digest(self):
        """Queue one email per credit officer listing the alerts raised since the previous
        digest in their companies; each alert is listed once, whatever the number of runs."""
        alerts = self.sudo().search([("digest_sent", "=", False)], order="company_id, id")
        if not alerts:
            return
        template = self.env.ref("customer_risk.mail_template_risk_alert_digest")
        officers = self.env.ref(OFFICER).users.filtered(
            lambda u: u.active and not u.share and u.email
        )
        listed = alerts.filtered(lambda a: a.state != "resolved")
        for officer in officers:
            mine = listed.filtered(lambda a, o=officer: a.company_id in o.company_ids)
            if mine:
                template.with_context(risk_alert_ids=mine.ids).send_mail(
                    officer.id, force_send=False
                )
        alerts.write({"digest_sent": True})
