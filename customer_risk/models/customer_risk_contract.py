from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

# The credit terms a contract fixes: frozen once it is active.
TERMS = frozenset(
    {
        "name",
        "partner_id",
        "company_id",
        "date_start",
        "date_end",
        "credit_limit",
        "payment_term_id",
        "guarantee_amount",
        "clause_line_ids",
    }
)


class CustomerRiskContract(models.Model):
    """A customer contract: the credit terms, the clauses that protect the company and the
    obligations (deposits, guarantees, insurance, documents) the customer must meet. An
    active contract carrying the mandatory clauses of the customer's tier satisfies the
    credit check's contract rule."""

    _name = "customer.risk.contract"
    _description = "Customer Contract"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "customer.risk.customer.mixin",
        "customer.risk.officer.mixin",
        "customer.risk.kept.mixin",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", tracking=True
    )
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
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    date_start = fields.Date(
        string="Start Date", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(
        string="End Date", tracking=True, help="Empty for an open-ended contract."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("terminated", "Terminated"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    signed_document = fields.Binary(attachment=True, copy=False)
    signed_filename = fields.Char(copy=False)
    credit_limit = fields.Monetary(tracking=True, help="Credit limit agreed in the contract.")
    payment_term_id = fields.Many2one(
        "account.payment.term", string="Payment Terms", check_company=True, tracking=True
    )
    guarantee_amount = fields.Monetary(
        tracking=True, help="Guarantee the customer provides (bank guarantee, deposit...)."
    )
    clause_line_ids = fields.One2many(
        "customer.risk.contract.clause.line", "contract_id", string="Clauses", copy=True
    )
    obligation_ids = fields.One2many(
        "customer.risk.contract.obligation", "contract_id", string="Obligations", copy=True
    )
    tier_id = fields.Many2one(
        "customer.risk.tier",
        string="Customer Tier",
        compute="_compute_mandatory",
        help="The customer's risk tier in the contract's company.",
    )
    missing_clause_ids = fields.Many2many(
        "customer.risk.clause",
        string="Missing Mandatory Clauses",
        compute="_compute_mandatory",
        help="Clauses the customer's tier requires and the contract does not carry yet.",
    )
    activated_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_activated = fields.Datetime(string="Activated On", readonly=True, copy=False)
    terminated_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_terminated = fields.Datetime(string="Terminated On", readonly=True, copy=False)
    termination_reason = fields.Text(copy=False)
    note = fields.Html()
    sale_order_ids = fields.One2many("sale.order", "risk_contract_id", string="Orders")
    sale_order_count = fields.Integer(compute="_compute_sale_order_count")
    open_obligation_count = fields.Integer(compute="_compute_open_obligation_count")

    _sql_constraints = [
        (
            "amounts_check",
            "CHECK(COALESCE(credit_limit, 0) >= 0 AND COALESCE(guarantee_amount, 0) >= 0)",
            "Contract amounts cannot be negative.",
        ),
    ]

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    self.env._(
                        "Contract %(number)s cannot end before it starts.", number=contract.name
                    )
                )

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = self.env._(
                "%(number)s - %(customer)s",
                number=contract.name or "",
                customer=contract.partner_id.display_name or "",
            )

    @api.depends("partner_id", "company_id", "clause_line_ids.clause_id")
    def _compute_mandatory(self):
        Clause = self.env["customer.risk.clause"]
        for contract in self:
            tier = contract.partner_id.sudo().with_company(contract.company_id).risk_tier_id
            contract.tier_id = tier
            contract.missing_clause_ids = (
                Clause._risk_mandatory(tier, contract.company_id)
                - contract.clause_line_ids.clause_id
            )

    def _compute_sale_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("risk_contract_id", "in", self.ids)], ["risk_contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.sale_order_count = counts.get(contract, 0)

    def _compute_open_obligation_count(self):
        counts = dict(
            self.env["customer.risk.contract.obligation"]._read_group(
                [("contract_id", "in", self.ids), ("state", "in", ("pending", "overdue"))],
                ["contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.open_obligation_count = counts.get(contract, 0)

    # ------------------------------------------------------------------ integrity

    @api.model_create_multi
    def create(self, vals_list):
        self._check_officer()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("customer.risk.contract")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_officer()
            if TERMS & set(vals) and any(c.state != "draft" for c in self):
                raise UserError(
                    self.env._(
                        "The terms and clauses of an active, expired or terminated contract "
                        "cannot change: draft a new contract."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        if any(c.state != "draft" for c in self):
            raise UserError(self.env._("Only draft contracts can be deleted."))

    # ------------------------------------------------------------------ actions

    def action_load_mandatory_clauses(self):
        """Add the clauses the customer's tier requires and the contract lacks."""
        self._check_officer()
        for contract in self:
            if contract.state != "draft":
                raise UserError(self.env._("Clauses are added to draft contracts only."))
            self.env["customer.risk.contract.clause.line"].create(
                [
                    {"contract_id": contract.id, "clause_id": clause.id}
                    for clause in contract.missing_clause_ids
                ]
            )
        return True

    def action_activate(self):
        """A credit officer puts the contract in force: it must carry every mandatory clause
        of the customer's tier and overlap no other active contract of the customer."""
        self._check_officer()
        today = fields.Date.context_today(self)
        for contract in self:
            if contract.state != "draft":
                raise UserError(self.env._("Only draft contracts can be activated."))
            if contract.date_end and contract.date_end < today:
                raise UserError(
                    self.env._("Contract %(number)s has already ended.", number=contract.name)
                )
            if contract.missing_clause_ids:
                raise UserError(
                    self.env._(
                        "Contract %(number)s lacks clauses mandatory for tier %(tier)s: "
                        "%(clauses)s.",
                        number=contract.name,
                        tier=contract.tier_id.display_name,
                        clauses=", ".join(contract.missing_clause_ids.mapped("name")),
                    )
                )
            overlap = contract._risk_overlapping()
            if overlap:
                raise UserError(
                    self.env._(
                        "Contract %(number)s overlaps the active contract %(other)s of the "
                        "same customer: terminate it first.",
                        number=contract.name,
                        other=overlap[0].name,
                    )
                )
            contract.sudo().write(
                {
                    "state": "active",
                    "activated_by_id": self.env.uid,
                    "date_activated": fields.Datetime.now(),
                }
            )
            contract._risk_post(
                body=self.env._("Contract activated by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        self._risk_relink_quotations()
        return True

    def action_terminate(self):
        self._check_officer()
        for contract in self:
            if contract.state != "active":
                raise UserError(self.env._("Only active contracts can be terminated."))
            if not contract.termination_reason:
                raise UserError(self.env._("Give the reason of the termination first."))
            contract.sudo().write(
                {
                    "state": "terminated",
                    "terminated_by_id": self.env.uid,
                    "date_terminated": fields.Datetime.now(),
                }
            )
            contract._risk_post(
                body=Markup("{}<br/>{}").format(
                    self.env._("Contract terminated by %(user)s.", user=self.env.user.name),
                    contract.termination_reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        self._risk_relink_quotations()
        return True

    def _risk_overlapping(self):
        """Other active contracts of the customer in the company whose period meets this
        one's."""
        self.ensure_one()
        others = self.sudo().search(
            [
                ("id", "!=", self.id),
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "active"),
            ]
        )
        end = self.date_end or fields.Date.to_date("9999-12-31")
        return others.filtered(
            lambda c: c.date_start <= end and (not c.date_end or c.date_end >= self.date_start)
        )

    def _risk_relink_quotations(self):
        """Quotations of these customers link again to whichever contract now covers them."""
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "in", ("draft", "sent")),
                ]
            )
        )
        self.env.add_to_compute(orders._fields["risk_contract_id"], orders)

    def action_view_sale_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("risk_contract_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ coverage

    def _risk_covers_date(self, day):
        self.ensure_one()
        return (
            self.state == "active"
            and self.date_start <= day
            and (not self.date_end or self.date_end >= day)
        )

    @api.model
    def _risk_covering(self, partner, company, day):
        """Active contracts of commercial partner ``partner`` in ``company`` in force on
        ``day``, the most recent first."""
        contracts = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("date_start", "<=", day),
            ],
            order="date_start desc, id desc",
        )
        return contracts.filtered(lambda c: c._risk_covers_date(day))

    @api.model
    def _risk_coverage_end(self, partners, company, today):
        """{partner id: last day covered by its active contracts} for commercial partners
        ``partners`` in ``company``; partners with an open-ended contract, or none, are left
        out."""
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("date_start", "<=", today),
            ],
            ["partner_id"],
            ["date_end:max", "date_end:count", "__count"],
        )
        return {
            partner.id: date_end
            for partner, date_end, dated, count in groups
            if date_end and dated == count
        }

    # ------------------------------------------------------------------ batch

    @api.model
    def _cron_expire(self, chunk_size=500):
        """Expire active contracts past their end date and mark open obligations past their
        due date overdue; chunked, each chunk committed, so a rerun only does what is left."""
        today = fields.Date.context_today(self)
        Obligation = self.env["customer.risk.contract.obligation"].sudo()
        done = 0
        while True:
            contracts = self.sudo().search(
                [("state", "=", "active"), ("date_end", "<", today)], limit=chunk_size
            )
            obligations = Obligation.search(
                [("state", "=", "pending"), ("due_date", "<", today)], limit=chunk_size
            )
            if not contracts and not obligations:
                break
            contracts.write({"state": "expired"})
            for contract in contracts:
                contract._risk_post(
                    body=self.env._(
                        "Contract expired on %(date)s.",
                        date=format_date(self.env, contract.date_end),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            contracts._risk_relink_quotations()
            obligations.write({"state": "overdue"})
            done += len(contracts) + len(obligations)
            remaining = chunk_size if chunk_size in (len(contracts), len(obligations)) else 0
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            # Batch job: commit per chunk so a crash keeps the work done (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit
