from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .customer_risk_alert_rule import SEVERITIES

TOP = 5
HISTORY_MONTHS = 12
RISK_USER = "customer_risk.group_risk_user"
OFFICER = "customer_risk.group_risk_officer"


class CustomerRiskDashboard(models.AbstractModel):
    """The figures of the Credit Control overview (the app's landing page), read with the
    user's access rights in the current company: a handful of aggregate queries."""

    _name = "customer.risk.dashboard"
    _description = "Credit Control Overview"

    # ------------------------------------------------------------------ data

    @api.model
    def get_data(self):
        self._check_dashboard_access()
        company = self.env.company
        today = fields.Date.context_today(self)
        return self._dashboard_data(company, today)

    def _check_dashboard_access(self):
        if not self.env.user.has_group(RISK_USER):
            raise AccessError(
                self.env._("Only the credit team and salespeople see Credit Control.")
            )

    @api.model
    def _dashboard_own_only(self):
        """Salespeople who are not in the credit team see their own customers."""
        return not self.env.user.has_group(OFFICER)

    @api.model
    def _dashboard_partner_domain(self):
        domain = self.env["customer.risk.exposure.history"]._risk_customer_domain()
        if self._dashboard_own_only():
            domain.append(("user_id", "=", self.env.uid))
        return domain

    @api.model
    def _dashboard_data(self, company, today):
        """Every figure of the overview; satellite addons add theirs with ``super()``
        (``cards``: extra blocks of labelled figures, each with the list it opens)."""
        partners = self.env["res.partner"].with_company(company)
        domain = self._dashboard_partner_domain()
        totals = self.env["customer.risk.exposure.history"]._risk_totals(company, domain)
        return {
            "company": company.name,
            "currency_id": company.currency_id.id,
            "today": fields.Date.to_string(today),
            "own_only": self._dashboard_own_only(),
            "totals": {
                **totals,
                "utilization": self._ratio(totals["exposure"], totals["credit_limit"]),
                "on_hold": partners.search_count([*domain, ("risk_hold", "=", True)]),
                "not_assessed": partners.search_count([*domain, ("risk_tier_id", "=", False)]),
            },
            "tiers": self._dashboard_tiers(partners, domain),
            "top_exposure": self._dashboard_top(partners, domain, "risk_exposure"),
            "top_overdue": self._dashboard_top(partners, domain, "risk_overdue_amount"),
            "releases": self._dashboard_releases(company),
            "alerts": self._dashboard_alerts(company),
            "reviews": self._dashboard_reviews(partners, domain, today),
            "history": self._dashboard_history(company, today, totals),
            "cards": [],
        }

    @api.model
    def _ratio(self, part, whole):
        return round(100.0 * part / whole, 1) if whole > 0 else None

    @api.model
    def _dashboard_tiers(self, partners, domain):
        groups = partners._read_group(
            domain,
            ["risk_tier_id"],
            [
                "__count",
                "risk_exposure:sum",
                "risk_overdue_amount:sum",
                "risk_available_credit:sum",
            ],
        )
        rows = []
        for tier, count, exposure, overdue, available in groups:
            limit = (exposure or 0.0) + (available or 0.0)
            rows.append(
                {
                    "id": tier.id,
                    "name": tier.name or self.env._("Not assessed"),
                    "sequence": tier.sequence if tier else 10**6,
                    "count": count,
                    "exposure": exposure or 0.0,
                    "overdue": overdue or 0.0,
                    "credit_limit": limit,
                    "utilization": self._ratio(exposure or 0.0, limit),
                }
            )
        return sorted(rows, key=lambda r: (r["sequence"], r["name"]))

    @api.model
    def _dashboard_top(self, partners, domain, field):
        customers = partners.search([*domain, (field, ">", 0)], order=f"{field} desc", limit=TOP)
        return [
            {
                "id": partner.id,
                "name": partner.display_name,
                "tier": partner.risk_tier_id.name or "",
                "exposure": partner.risk_exposure,
                "overdue": partner.risk_overdue_amount,
                "days": partner.risk_max_days_overdue,
                "credit_limit": partner.risk_exposure + partner.risk_available_credit,
                "utilization": self._ratio(
                    partner.risk_exposure, partner.risk_exposure + partner.risk_available_credit
                ),
                "hold": partner.risk_hold,
            }
            for partner in customers
        ]

    @api.model
    def _dashboard_release_domain(self, company):
        domain = [("state", "=", "pending"), ("company_id", "=", company.id)]
        if self._dashboard_own_only():
            domain += [
                "|",
                ("requested_by_id", "=", self.env.uid),
                ("salesperson_id", "=", self.env.uid),
            ]
        return domain

    @api.model
    def _dashboard_releases(self, company):
        Release = self.env["customer.risk.release"]
        domain = self._dashboard_release_domain(company)
        [(count, amount)] = Release._read_group(domain, [], ["__count", "amount_company:sum"])
        return {
            "count": count,
            "amount": amount or 0.0,
            "items": [
                {
                    "id": release.id,
                    "order": release.sudo().order_id.name,
                    "customer": release.partner_id.display_name,
                    "amount": release.amount_company,
                    "requested_by": release.requested_by_id.name or "",
                    "date": fields.Date.to_string(
                        fields.Date.context_today(self, release.date_requested)
                    )
                    if release.date_requested
                    else False,
                }
                for release in Release.search(domain, order="date_requested, id", limit=TOP)
            ],
        }

    @api.model
    def _dashboard_alerts(self, company):
        Alert = self.env["customer.risk.alert"]
        counts = dict(
            Alert._read_group(
                [("state", "!=", "resolved"), ("company_id", "=", company.id)],
                ["severity"],
                ["__count"],
            )
        )
        labels = dict(Alert._fields["severity"]._description_selection(self.env))
        severities = [code for code, _label in reversed(SEVERITIES)]
        return {
            "count": sum(counts.values()),
            "by_severity": [
                {"severity": code, "name": labels[code], "count": counts.get(code, 0)}
                for code in severities
            ],
        }

    @api.model
    def _dashboard_reviews(self, partners, domain, today):
        due = [*domain, ("risk_review_date", "<=", today)]
        soon = [
            *domain,
            ("risk_review_date", ">", today),
            ("risk_review_date", "<=", today + relativedelta(days=30)),
        ]
        return {
            "due": partners.search_count(due),
            "soon": partners.search_count(soon),
            "items": [
                {
                    "id": partner.id,
                    "name": partner.display_name,
                    "tier": partner.risk_tier_id.name or "",
                    "date": fields.Date.to_string(partner.risk_review_date),
                }
                for partner in partners.search(due, order="risk_review_date, id", limit=TOP)
            ],
        }

    @api.model
    def _dashboard_history(self, company, today, totals):
        """One point per month over the last year (the month's last stored day), then
        today's figures. Salespeople see their own customers: they get today's point only,
        since the stored history adds up every customer."""
        points = {}
        if not self._dashboard_own_only():
            start = (today - relativedelta(months=HISTORY_MONTHS - 1)).replace(day=1)
            rows = self.env["customer.risk.exposure.history"].search_read(
                [("company_id", "=", company.id), ("date", ">=", start), ("date", "<", today)],
                ["date", "exposure", "overdue"],
                order="date",
            )
            for row in rows:
                points[row["date"].strftime("%Y-%m")] = row
        points[today.strftime("%Y-%m")] = {
            "date": today,
            "exposure": totals["exposure"],
            "overdue": totals["overdue"],
        }
        return [
            {
                "date": fields.Date.to_string(point["date"]),
                "exposure": point["exposure"],
                "overdue": point["overdue"],
            }
            for _month, point in sorted(points.items())
        ]

    # ------------------------------------------------------------------ links

    @api.model
    def action_open(self, kind, value=None):
        """The list behind a figure of the overview."""
        self._check_dashboard_access()
        opener = self._dashboard_openers().get(kind)
        if not opener:
            raise UserError(self.env._("Unknown list %(kind)s.", kind=kind))
        return opener(value)

    @api.model
    def _dashboard_openers(self):
        return {
            "customers": self._open_customers,
            "customer": self._open_customer,
            "releases": self._open_releases,
            "release": self._open_release,
            "alerts": self._open_alerts,
            "history": self._open_history,
        }

    def _action(self, xmlid, domain=None, context=None, name=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain or []
        action["context"] = context or {}
        if name:
            action["name"] = name
        return action

    def _open_customers(self, value):
        """``value``: a filter of the customer list (tier id, or over_limit, overdue,
        review_due, on_hold, not_assessed, soon)."""
        context = {}
        domain = list(self._dashboard_partner_domain())
        if isinstance(value, int) and not isinstance(value, bool):
            domain.append(("risk_tier_id", "=", value))
        elif value == "soon":
            today = fields.Date.context_today(self)
            domain += [
                ("risk_review_date", ">", today),
                ("risk_review_date", "<=", today + relativedelta(days=30)),
            ]
        elif value in ("over_limit", "overdue", "review_due", "on_hold", "not_assessed"):
            context[f"search_default_{value}"] = 1
        return self._action("customer_risk.res_partner_action_customer", domain, context)

    def _open_customer(self, value):
        action = self._action("customer_risk.res_partner_action_customer")
        action.update(res_id=int(value), view_mode="form", views=[(False, "form")])
        return action

    def _open_releases(self, value):
        company = self.env.company
        return self._action(
            "customer_risk.customer_risk_release_action_pending",
            self._dashboard_release_domain(company),
        )

    def _open_release(self, value):
        action = self._action("customer_risk.customer_risk_release_action")
        action.update(res_id=int(value), view_mode="form", views=[(False, "form")])
        return action

    def _open_alerts(self, value):
        context = {"search_default_open": 1}
        domain = [("severity", "=", value)] if value else []
        return self._action("customer_risk.customer_risk_alert_action", domain, context)

    def _open_history(self, value):
        return self._action("customer_risk.customer_risk_exposure_history_action")
