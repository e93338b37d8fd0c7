from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

TOPICS = [
    ("screening", "Screening"),
    ("credit_assessment", "Credit Assessment"),
    ("contracts", "Contracts"),
    ("receivables", "Receivables"),
    ("collections", "Collections"),
]


class CustomerRiskTraining(models.Model):
    """A training session of the credit team on one topic, with who attended and passed."""

    _name = "customer.risk.training"
    _description = "Credit Risk Training"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    topic = fields.Selection(TOPICS, required=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    trainer_id = fields.Many2one("res.partner")
    validity_months = fields.Integer(
        string="Certificate Validity (Months)",
        default=12,
        help="How long the certificate of a participant who passed stays valid; 0 means it "
        "never expires.",
    )
    material = fields.Binary(attachment=True)
    material_name = fields.Char(string="Material File Name")
    description = fields.Text()
    attendee_ids = fields.One2many(
        "customer.risk.training.attendee", "training_id", string="Attendees", copy=False
    )
    attendee_count = fields.Integer(compute="_compute_attendee_count")

    @api.depends("attendee_ids")
    def _compute_attendee_count(self):
        for training in self:
            training.attendee_count = len(training.attendee_ids)

    def write(self, vals):
        result = super().write(vals)
        if {"date", "validity_months"} & set(vals):
            # New expiry dates deserve their own reminders.
            self.attendee_ids.sudo().expiry_reminded = False
        return result

    def _certificate_expiry(self):
        self.ensure_one()
        if not self.date or self.validity_months <= 0:
            return False
        return self.date + relativedelta(months=self.validity_months)
