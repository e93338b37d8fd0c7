from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class CustomerRiskDashboard(models.AbstractModel):
    _inherit = "customer.risk.dashboard"

    @api.model
    def _dashboard_data(self, company, today):
        data = super()._dashboard_data(company, today)
        data["cards"].append(self._dashboard_followups(company, today))
        return data

    @api.model
    def _dashboard_month(self, today):
        start = today.replace(day=1)
        return start, start + relativedelta(months=1)

    @api.model
    def _dashboard_followups(self, company, today):
        """This month's follow-ups: customers waiting for a collector today, follow-ups
        executed this month, promises to pay still open and promises broken this month."""
        start, end = self._dashboard_month(today)
        partners = self.env["res.partner"].with_company(company)
        Execution = self.env["customer.risk.followup.execution"]
        Promise = self.env["customer.risk.promise"]
        company_domain = [("company_id", "=", company.id)]
        waiting = partners.search_count(
            [*self._dashboard_partner_domain(), ("followup_next_date", "<=", today)]
        )
        executed = Execution.search_count(
            [*company_domain, ("date", ">=", start), ("date", "<", end)]
        )
        [(promised_count, promised)] = Promise._read_group(
            [*company_domain, ("state", "=", "open")],
            [],
            ["__count", "amount:sum"],
        )
        broken = Promise.search_count(
            [
                *company_domain,
                ("state", "=", "broken"),
                ("date_closed", ">=", start),
                ("date_closed", "<", end),
            ]
        )
        return {
            "key": "followups",
            "title": self.env._("This Month's Follow-ups"),
            "items": [
                {
                    "label": self.env._("Customers to follow up today"),
                    "figure": waiting,
                    "kind": "followup_today",
                },
                {
                    "label": self.env._("Follow-ups executed this month"),
                    "figure": executed,
                    "kind": "followup_executed",
                },
                {
                    "label": self.env._("Open promises (%(count)s)", count=promised_count),
                    "figure": promised or 0.0,
                    "money": True,
                    "kind": "promises_open",
                },
                {
                    "label": self.env._("Promises broken this month"),
                    "figure": broken,
                    "danger": bool(broken),
                    "kind": "promises_broken",
                },
            ],
        }

    @api.model
    def _dashboard_openers(self):
        return {
            **super()._dashboard_openers(),
            "followup_today": self._open_followup_today,
            "followup_executed": self._open_followup_executed,
            "promises_open": self._open_promises_open,
            "promises_broken": self._open_promises_broken,
        }

    def _open_followup_today(self, value):
        return self._action(
            "customer_risk_collections.res_partner_action_followup",
            context={"search_default_needs_action": 1},
        )

    def _this_month(self, field):
        start, end = self._dashboard_month(fields.Date.context_today(self))
        return [(field, ">=", start), (field, "<", end)]

    def _open_followup_executed(self, value):
        return self._action(
            "customer_risk_collections.customer_risk_followup_execution_action",
            [("company_id", "=", self.env.company.id), *self._this_month("date")],
        )

    def _open_promises_open(self, value):
        return self._action(
            "customer_risk_collections.customer_risk_promise_action",
            [("company_id", "=", self.env.company.id), ("state", "=", "open")],
        )

    def _open_promises_broken(self, value):
        return self._action(
            "customer_risk_collections.customer_risk_promise_action",
            [
                ("company_id", "=", self.env.company.id),
                ("state", "=", "broken"),
                *self._this_month("date_closed"),
            ],
        )
