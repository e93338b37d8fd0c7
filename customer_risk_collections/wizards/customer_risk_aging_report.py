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


# Customers read at a time by the Excel export.
EXPORT_CHUNK = 1000


class AgingSummary:
    """Totals of the report's items per group and bucket, added a chunk at a time."""

    def __init__(self, size):
        self.groups = defaultdict(lambda: {"amounts": [0.0] * size, "total": 0.0})
        self.totals = [0.0] * size

    def add(self, items):
        for item in items:
            group = self.groups[item["group_key"]]
            group["name"] = item["group_name"]
            group["amounts"][item["bucket"]] += item["residual"]
            group["total"] += item["residual"]
            self.totals[item["bucket"]] += item["residual"]

    def result(self):
        """groups (sorted by name, with their share), totals per bucket, total, shares."""
        total = sum(self.totals)
        groups = sorted(
            self.groups.values(), key=lambda group: (group["name"].lower(), group["name"])
        )
        for group in groups:
            group["share"] = tools.ratio_percent(group["total"], total)
        return {
            "groups": groups,
            "totals": self.totals,
            "total": total,
            "total_share": tools.ratio_percent(total, total),
            "bucket_shares": [tools.ratio_percent(amount, total) for amount in self.totals],
        }


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
        data = self._aging_report_heading()
        summary = AgingSummary(len(data["bucket_labels"]))
        items = []
        for rows in self._aging_report_items(data):
            summary.add(rows)
            items.extend(rows)
        data.update(summary.result())
        for item in items:
            item["share"] = tools.ratio_percent(item["residual"], data["total"])
        data["items"] = items
        return data

    def _aging_report_heading(self):
        """What the report states before its figures: date, companies, currency, buckets
        and grouping."""
        self.ensure_one()
        self._check_report_access()
        bounds = self.bucket_set_id._get_bounds()
        Bucket = self.env["customer.risk.aging.bucket"]
        report_company = self._report_company()
        return {
            "currency": report_company.currency_id,
            "date": self.date,
            "companies": self.company_ids.sorted("id"),
            "bounds": bounds,
            "bucket_labels": [Bucket._label_of(bucket) for bucket in tools.aging.buckets(bounds)],
            "group_label": self._group_label(),
        }

    def _aging_report_items(self, heading, chunk=None):
        """The open items of the report, described, in the report currency: yields them
        by company, all at once or ``chunk`` customers at a time."""
        report_company = self._report_company()
        currency = heading["currency"]
        partner_ids = self.partner_ids.commercial_partner_id.ids or None
        Aging = self.env["customer.risk.aging"]
        for company in heading["companies"]:
            rate = company.currency_id._get_conversion_rate(
                company.currency_id, currency, report_company, self.date
            )
            if chunk:
                chunks = Aging._aging_lines_in_chunks(
                    company, self.date, heading["bounds"], partner_ids, size=chunk
                )
            else:
                chunks = [Aging._aging_lines(company, self.date, heading["bounds"], partner_ids)]
            for rows in chunks:
                if rate != 1.0:
                    for row in rows:
                        row["residual"] = currency.round(row["residual"] * rate)
                self._aging_describe_items(rows, heading["bucket_labels"])
                yield rows

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
        move_names = {move.id: move.name for move in moves}
        described = {}  # per company and customer: what the items have in common
        for item in items:
            key = item["company_id"], item["partner_id"]
            if key not in described:
                partner = partners.browse(item["partner_id"])
                company = companies.browse(item["company_id"])
                tier = tiers.get((company.id, partner.id)) or self.env["customer.risk.tier"]
                common = described[key] = {
                    "partner_name": partner.name if partner else no_partner,
                    "user_id": partner.user_id.id,
                    "tier_id": tier.id,
                    "company_name": company.name,
                }
                if self.group_by == "partner":
                    common.update(group_key=partner.id, group_name=common["partner_name"])
                elif self.group_by == "user":
                    name = partner.user_id.name or self.env._("No salesperson")
                    common.update(group_key=partner.user_id.id, group_name=name)
                elif self.group_by == "tier":
                    name = tier.sudo().name or self.env._("No tier")
                    common.update(group_key=tier.id, group_name=name)
                else:
                    common.update(group_key=company.id, group_name=company.name)
            item.update(
                described[key],
                document=move_names[item["move_id"]],
                bucket_label=labels[item["bucket"]],
            )

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
        content = self._aging_xlsx(chunk=EXPORT_CHUNK)
        return download_action(self, f"aging-{self.date.isoformat()}.xlsx", content)

    def _aging_xlsx(self, chunk):
        """The workbook's bytes. The items are read ``chunk`` customers at a time and each
        row goes to a temporary file as it is written: memory holds one chunk, whatever the
        number of customers. The Summary sheet comes first in the workbook but is written
        last, from the totals of the items."""
        heading = self._aging_report_heading()
        book = XlsxReport(heading["currency"], constant_memory=True)
        try:
            title = self._xlsx_title(heading)
            summary_sheet = book.open_sheet(
                self.env._("Summary"),
                [
                    Column(heading["group_label"]),
                    *(Column(label, "amount", total=True) for label in heading["bucket_labels"]),
                    Column(self.env._("Total"), "amount", total=True),
                    Column(self.env._("Share"), "percent", total=True),
                ],
                title=title,
            )
            several = len(heading["companies"]) > 1
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
            detail_sheet = book.open_sheet(self.env._("Detail"), columns, title=title)
            summary = AgingSummary(len(heading["bucket_labels"]))
            for items in self._aging_report_items(heading, chunk=chunk):
                summary.add(items)
                for item in items:
                    detail_sheet.append(
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
                    )
                # The names read for this chunk are not needed any more.
                self.env["account.move"].invalidate_model(["name"])
            detail_sheet.close(totals_label=self.env._("Total"))
            for group in summary.result()["groups"]:
                summary_sheet.append(
                    [group["name"], *group["amounts"], group["total"], group["share"]]
                )
            summary_sheet.close(totals_label=self.env._("Total"))
            return book.to_bytes()
        finally:
            book.discard()

    def action_print_pdf(self):
        self.ensure_one()
        self._check_report_access()
        return self.env.ref(
            "customer_risk_collections.customer_risk_aging_report_pdf"
        ).report_action(self)
