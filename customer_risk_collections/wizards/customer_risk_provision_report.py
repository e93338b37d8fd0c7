from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from odoo.addons.customer_risk import tools


class CustomerRiskProvisionReport(models.TransientModel):
    """The bad-debt provision the aging implies at a date, by customer and bucket, and on
    request a draft journal entry bringing the booked allowance to that level. The entry is
    never posted here: the accountant reviews and posts it."""

    _name = "customer.risk.provision.report"
    _description = "Bad-Debt Provision"
    _check_company_auto = True

    date = fields.Date(string="As of", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    bucket_set_id = fields.Many2one(
        "customer.risk.aging.bucket.set",
        string="Buckets",
        required=True,
        check_company=True,
        default=lambda self: self.env["customer.risk.aging.bucket.set"]._default_for_company(
            self.env.company
        ),
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        domain="[('parent_id', '=', False)]",
        help="Leave empty for every customer.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the draft entry.",
    )
    expense_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('internal_group', '=', 'expense'), ('deprecated', '=', False)]",
        help="Bad-debt expense, debited when the provision grows.",
    )
    allowance_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'not in', ('asset_receivable', 'liability_payable')),"
        " ('internal_group', '=', 'asset'), ('deprecated', '=', False)]",
        help="Allowance for doubtful accounts (a contra-asset), credited per customer.",
    )
    line_ids = fields.One2many(
        "customer.risk.provision.report.line", "wizard_id", string="Provision Lines", readonly=True
    )
    computed = fields.Boolean(readonly=True)
    amount_total = fields.Monetary(string="Open Amount", compute="_compute_totals")
    provision_total = fields.Monetary(string="Provision", compute="_compute_totals")
    booked_total = fields.Monetary(
        string="Already Booked",
        readonly=True,
        help="Credit balance of the allowance account at the date.",
    )
    adjustment_total = fields.Monetary(string="To Book", compute="_compute_totals")
    move_id = fields.Many2one("account.move", string="Draft Entry", readonly=True)

    @api.depends("line_ids.amount", "line_ids.provision", "booked_total")
    def _compute_totals(self):
        for wizard in self:
            wizard.amount_total = sum(wizard.line_ids.mapped("amount"))
            wizard.provision_total = sum(wizard.line_ids.mapped("provision"))
            wizard.adjustment_total = wizard.provision_total - wizard.booked_total

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.bucket_set_id = self.bucket_set_id._default_for_company(self.company_id)
        self.journal_id = self.expense_account_id = self.allowance_account_id = False

    def _check_report_access(self):
        self.env["customer.risk.aging"]._check_company_access(self.company_id)

    # ------------------------------------------------------------------ figures

    def _provision_rows(self):
        """One row per customer and bucket holding an open amount at the date."""
        self.ensure_one()
        self._check_report_access()
        bounds = self.bucket_set_id._get_bounds()
        buckets = {bucket.index: bucket for bucket in self.bucket_set_id.bucket_ids}
        rates = {index: bucket.provision_rate for index, bucket in buckets.items()}
        aging = self.env["customer.risk.aging"]._aging_by_partner(
            self.company_id,
            self.date,
            bounds,
            self.partner_ids.commercial_partner_id.ids or None,
        )
        rows = []
        for partner_id, amounts in aging.items():
            for index, amount in enumerate(amounts):
                if not self.currency_id.is_zero(amount):
                    rows.append(
                        {
                            "partner_id": partner_id,
                            "bucket_id": buckets[index].id,
                            "amount": amount,
                            "rate": rates[index],
                            "provision": self.currency_id.round(
                                tools.aging.provision({index: amount}, rates)
                            ),
                        }
                    )
        return rows

    def _booked_by_partner(self):
        """Credit balance of the allowance account at the date per commercial partner."""
        self.ensure_one()
        if not self.allowance_account_id:
            return {}
        self.env["account.move.line"].flush_model(
            ["account_id", "balance", "company_id", "date", "parent_state", "partner_id"]
        )
        partner_filter = (
            SQL("AND p.commercial_partner_id = ANY(%s)", self.partner_ids.commercial_partner_id.ids)
            if self.partner_ids
            else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, -SUM(aml.balance)
                  FROM account_move_line aml
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.account_id = %(account)s
                   AND aml.company_id = %(company)s
                   AND aml.parent_state = 'posted'
                   AND aml.date <= %(date)s
                   %(partner_filter)s
                 GROUP BY p.commercial_partner_id
                """,
                account=self.allowance_account_id.id,
                company=self.company_id.id,
                date=self.date,
                partner_filter=partner_filter,
            )
        )
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------ actions

    def action_compute(self):
        self.ensure_one()
        rows = self._provision_rows()
        self.write(
            {
                "line_ids": [Command.clear()] + [Command.create(row) for row in rows],
                "booked_total": sum(self._booked_by_partner().values()),
                "computed": True,
            }
        )
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_view_analysis(self):
        """The provision as a pivot: customers by bucket."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Provision as of %(date)s", date=format_date(self.env, self.date)),
            "res_model": "customer.risk.provision.report.line",
            "view_mode": "pivot,list",
            "views": [(False, "pivot"), (False, "list")],
            "domain": [("wizard_id", "=", self.id)],
            "context": {
                "pivot_row_groupby": ["partner_id"],
                "pivot_column_groupby": ["bucket_id"],
                "pivot_measures": ["amount", "provision"],
            },
        }

    def action_create_entry(self):
        """Draft entry bringing each customer's allowance to the provision at the date:
        credit the allowance account per customer, debit the expense account (a release
        reverses both). Never posted here."""
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_user"):
            raise AccessError(self.env._("Only accountants may draft provision entries."))
        if not (self.journal_id and self.expense_account_id and self.allowance_account_id):
            raise UserError(
                self.env._("Choose the journal, the expense account and the allowance account.")
            )
        if self.move_id:
            raise UserError(
                self.env._("The draft entry %(entry)s exists already.", entry=self.move_id.name)
            )
        currency = self.currency_id
        required = defaultdict(float)
        for row in self._provision_rows():
            required[row["partner_id"]] += row["provision"]
        booked = self._booked_by_partner()
        adjustments = {
            partner_id: currency.round(required.get(partner_id, 0.0) - booked.get(partner_id, 0.0))
            for partner_id in required.keys() | booked.keys()
        }
        adjustments = {key: value for key, value in adjustments.items() if value}
        if not adjustments:
            raise UserError(
                self.env._("The allowance booked at that date already matches the provision.")
            )
        label = self.env._(
            "Bad-debt provision as of %(date)s", date=format_date(self.env, self.date)
        )
        lines = [
            Command.create(
                {
                    "name": label,
                    "account_id": self.allowance_account_id.id,
                    "partner_id": partner_id,
                    "balance": -amount,
                }
            )
            for partner_id, amount in sorted(adjustments.items(), key=lambda kv: kv[0] or 0)
        ]
        lines.append(
            Command.create(
                {
                    "name": label,
                    "account_id": self.expense_account_id.id,
                    "balance": currency.round(sum(adjustments.values())),
                }
            )
        )
        self.move_id = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self.journal_id.id,
                    "company_id": self.company_id.id,
                    "date": self.date,
                    "ref": label,
                    "line_ids": lines,
                }
            )
        )
        return self.move_id.get_formview_action()
