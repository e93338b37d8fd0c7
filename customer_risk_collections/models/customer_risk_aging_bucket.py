from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.customer_risk import tools


class CustomerRiskAgingBucket(models.Model):
    """One bucket of a bucket set and the share of its amount to provision as bad debt.

    Reports group on these records, so buckets sort by their days and show a label in the
    user's language."""

    _name = "customer.risk.aging.bucket"
    _description = "Aging Bucket"
    _order = "bucket_set_id, index"

    bucket_set_id = fields.Many2one(
        "customer.risk.aging.bucket.set", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="bucket_set_id.company_id", store=True)
    index = fields.Integer(required=True, readonly=True, help="0 is Not due.")
    provision_rate = fields.Float(
        string="Provision (%)",
        digits=(5, 2),
        help="Share of the open amount of this bucket to provision as doubtful.",
    )

    _sql_constraints = [
        ("index_uniq", "unique(bucket_set_id, index)", "A bucket set has one bucket per index."),
    ]

    @api.constrains("provision_rate")
    def _check_provision_rate(self):
        for bucket in self:
            if not 0.0 <= bucket.provision_rate <= 100.0:
                raise ValidationError(self.env._("A provision rate lies between 0 and 100%."))

    @api.depends("index", "bucket_set_id.bounds")
    def _compute_display_name(self):
        for bucket in self:
            try:
                all_buckets = tools.aging.buckets(bucket.bucket_set_id._get_bounds())
            except ValidationError:
                # Bounds being typed in the form: no label until they are valid.
                all_buckets = ()
            bucket.display_name = (
                self._label_of(all_buckets[bucket.index]) if bucket.index < len(all_buckets) else ""
            )

    @api.model
    def _label_of(self, bucket):
        """Label of a ``tools.aging.Bucket`` in the user's language."""
        if bucket.min_days is None:
            return self.env._("Not due")
        if bucket.max_days is None:
            return self.env._("Over %(days)s", days=bucket.min_days - 1)
        return self.env._("%(low)s-%(high)s", low=bucket.min_days, high=bucket.max_days)
