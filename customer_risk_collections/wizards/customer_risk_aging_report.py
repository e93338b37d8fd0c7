from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools import format_date

from odoo.addons.customer_risk import tools
from odoo.addons.customer_risk.tools.xlsx import Column, XlsxReport, download_action

GROUP_BY = [
    ("partner", "Customer"),
    ("user", "Salesperson"),
    ("tier", "Tier"),
    ("company", "Company"),
]


class CustomerRiskAgingReport(models.TransientModel):
    """Aged receivables as of a date: what each customer owed then, by days past due.

    Payments and reconciliations dated after the date do not count. Shown as a pivot with
    drill-down to the items, exported to Excel or printed."""

    _name = "customer.risk.aging.report"
    _description = "Aging Report"

    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Open amounts as they stood at the end of this day.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Amounts of companies in another currency are converted at the rate of the date.",
    )
    bucket_set_id = fields.Many2one(
        "customer.risk.aging.bucket.set",
        string="Buckets",
        required=True,
        domain="['|', ('company_id', '=', False), ('company_id', 'in', company_ids)]",
        default=lambda self: self.env["customer.risk.aging.bucket.set"]._default_for_company(
            self.env.company
        ),
    )
    group_by = fields.Selection(GROUP_BY, required=True, default="partner")
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        domain="[('parent_id', '=', False)]",
        help="Leave empty for every customer.",
    )
    line_ids = fields.One2many("customer.risk.aging.report.line", "wizard_id", readonly=True)

    @api.depends("company_ids")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = wizard._report_company().currency_id

    def _report_company(self):
        """The company whose currency and rates the report uses: the current one when it is
        reported on, else the first reported."""
        self.ensure_one()
        if self.env.company in self.company_ids:
            return self.env.company
        return self.company_ids.sorted("id")[:1] or self.env.company

    # ------------------------------------------------------------------ figures

    def _check_report_access(self):
        # Past record rules: they would silently leave a forbidden company out.
        self.env["customer.risk.aging"]._check_company_access(self.sudo().company_ids)

    def _group_label(self):
        return dict(self._fields["group_by"]._description_selection(self.env))[self.group_by]

    def _aging_report_data(self):
        """Everything the views, the workbook and the PDF show: buckets, one summary row per
        group, totals and shares, and the open items. Amounts in the report currency."""
        self.ensure_one()
        self._check_report_access()
        bounds = self.bucket_set_id._get_bounds()
        all_buckets = tools.aging.buckets(bounds)
        Bucket = self.env["customer.risk.aging.bucket"]
        labels = [Bucket._label_of(bucket) for bucket in all_buckets]
        report_company = self._report_company()
        currency = report_company.currency_id
        partner_ids = self.partner_ids.commercial_partner_id.ids or None
        items = []
        for company in self.company_ids.sorted("id"):
            rate = company.currency_id._get_conversion_rate(
                company.currency_id, currency, report_company, self.date
            )
            for row in self.env["customer.risk.aging"]._aging_lines(
                company, self.date, bounds, partner_ids
            ):
                if rate != 1.0:
                    row["residual"] = currency.round(row["residual"] * rate)
                items.append(row)
        self._aging_describe_items(items, labels)
        groups = defaultdict(lambda: {"amounts": [0.0] * len(all_buckets), "total": 0.0})
        totals = [0.0] * len(all_buckets)
        for item in items:
            group = groups[item["group_key"]]
            group["name"] = item["group_name"]
            group["amounts"][item["bucket"]] += item["residual"]
            group["total"] += item["residual"]
            totals[item["bucket"]] += item["residual"]
        total = sum(totals)
        for item in items:
            item["share"] = tools.ratio_percent(item["residual"], total)
        summary = sorted(groups.values(), key=lambda group: (group["name"].lower(), group["name"]))
        for group in summary:
            group["share"] = tools.ratio_percent(group["total"], total)
        return {
            "currency": currency,
            "date": self.date,
            "companies": self.company_ids.sorted("id"),
            "bucket_labels": labels,
            "group_label": self._group_label(),
            "groups": summary,
            "totals": totals,
            "total": total,
            "total_share": tools.ratio_percent(total, total),
            "bucket_shares": [tools.ratio_percent(amount, total) for amount in totals],
            "items": items,
        }

    def _aging_describe_items(self, items, labels):
        """Add the names the reports show and the key of the item's group."""
        partners = self.env["res.partner"].sudo().browse({i["partner_id"] for i in items} - {None})
        moves = self.env["account.move"].sudo().browse({i["move_id"] for i in items})
        companies = self.env["res.company"].sudo().browse({i["company_id"] for i in items})
        moves.fetch(["name"])
        partners.fetch(["name", "user_id"])
        tiers = {}
        for company in companies:
            for partner in partners.with_company(company):
                tiers[company.id, partner.id] = partner.risk_tier_id
        no_partner = self.env._("No customer")
        for item in items:
            partner = partners.browse(item["partner_id"])
            company = companies.browse(item["company_id"])
            tier = tiers.get((company.id, partner.id)) or self.env["customer.risk.tier"]
            item.update(
                partner_name=partner.name if partner else no_partner,
                user_id=partner.user_id.id,
                tier_id=tier.id,
                document=moves.browse(item["move_id"]).name,
                company_name=company.name,
                bucket_label=labels[item["bucket"]],
            )
            if self.group_by == "partner":
                item.update(group_key=partner.id, group_name=item["partner_name"])
            elif self.group_by == "user":
                name = partner.user_id.name or self.env._("No salesperson")
                item.update(group_key=partner.user_id.id, group_name=name)
            elif self.group_by == "tier":
                name = tier.sudo().name or self.env._("No tier")
                item.update(group_key=tier.id, group_name=name)
            else:
                item.update(group_key=company.id, group_name=company.name)

    # ------------------------------------------------------------------ actions

    def action_view(self):
        """Open the items as a pivot by group and bucket, with a list to drill down."""
        self.ensure_one()
        data = self._aging_report_data()
        buckets = {bucket.index: bucket for bucket in self.bucket_set_id.bucket_ids}
        self.line_ids = [Command.clear()] + [
            Command.create(
                {
                    "company_id": item["company_id"],
                    "partner_id": item["partner_id"],
                    "user_id": item["user_id"],
                    "tier_id": item["tier_id"],
                    "move_id": item["move_id"],
                    "move_line_id": item["line_id"],
                    "date": item["date"],
                    "date_maturity": item["date_maturity"],
                    "days_past_due": item["days_past_due"],
                    "bucket_id": buckets[item["bucket"]].id,
                    "residual": item["residual"],
                    "share": item["share"] or 0.0,
                }
            )
            for item in data["items"]
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Aging as of %(date)s", date=format_date(self.env, self.date)),
            "res_model": "customer.risk.aging.report.line",
            "view_mode": "pivot,list,graph",
            "views": [(False, "pivot"), (False, "list"), (False, "graph")],
            "domain": [("wizard_id", "=", self.id)],
            "context": {
                f"search_default_group_{self.group_by}": 1,
                "pivot_column_groupby": ["bucket_id"],
                "pivot_measures": ["residual", "share"],
            },
            "target": "current",
        }

    def _xlsx_title(self, data):
        return [
            self.env._("Aged receivables as of %(date)s", date=format_date(self.env, self.date)),
            self.env._(
                "%(companies)s - buckets: %(buckets)s - currency: %(currency)s",
                companies=", ".join(data["companies"].mapped("name")),
                buckets=self.bucket_set_id.name,
                currency=data["currency"].name,
            ),
        ]

    def action_export_xlsx(self):
        """Summary by the chosen grouping and one row per item, as an attachment of this
        wizard; returns the download."""
        self.ensure_one()
        data = self._aging_report_data()
        book = XlsxReport(data["currency"])
        title = self._xlsx_title(data)
        book.add_sheet(
            self.env._("Summary"),
            [
                Column(data["group_label"]),
                *(Column(label, "amount", total=True) for label in data["bucket_labels"]),
                Column(self.env._("Total"), "amount", total=True),
                Column(self.env._("Share"), "percent", total=True),
            ],
            [
                [group["name"], *group["amounts"], group["total"], group["share"]]
                for group in data["groups"]
            ],
            title=title,
            totals_label=self.env._("Total"),
        )
        several = len(data["companies"]) > 1
        columns = [
            Column(self.env._("Customer")),
            Column(self.env._("Document"), width=20),
            Column(self.env._("Date"), "date"),
            Column(self.env._("Due Date"), "date"),
            Column(self.env._("Days Past Due"), "integer"),
            Column(self.env._("Bucket"), width=12),
            Column(self.env._("Residual"), "amount", total=True),
        ]
        if several:
            columns.append(Column(self.env._("Company")))
        book.add_sheet(
            self.env._("Detail"),
            columns,
            [
                [
                    item["partner_name"],
                    item["document"],
                    item["date"],
                    item["date_maturity"],
                    item["days_past_due"],
                    item["bucket_label"],
                    item["residual"],
                    *([item["company_name"]] if several else []),
                ]
                for item in data["items"]
            ],
            title=title,
            totals_label=self.env._("Total"),
        )
        return download_action(self, f"aging-{self.date.isoformat()}.xlsx", book.to_bytes())

    def action_print_pdf(self):
        self.ensure_one()
        self._check_report_access()
        return self.env.ref(
            "customer_risk_collections.customer_risk_aging_report_pdf"
        ).report_action(self)
