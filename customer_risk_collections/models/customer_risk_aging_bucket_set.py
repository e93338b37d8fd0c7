from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.customer_risk import tools


class CustomerRiskAgingBucketSet(models.Model):
    """How receivables are split by days past due: "Not due", one bucket per bound, then
    the open-ended last one. Each bucket carries its bad-debt provision rate."""

    _name = "customer.risk.aging.bucket.set"
    _description = "Aging Bucket Set"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the bucket set between companies."
    )
    bounds = fields.Char(
        required=True,
        default="30,60,90,120",
        help="Upper bounds in days past due of the buckets after Not due, separated by "
        "commas: 30,60,90,120 gives Not due, 1-30, 31-60, 61-90, 91-120 and Over 120.",
    )
    bucket_ids = fields.One2many(
        "customer.risk.aging.bucket", "bucket_set_id", string="Buckets", copy=True
    )

    @api.model
    def _parse_bounds(self, text):
        try:
            return tools.aging.check_bounds(int(part) for part in (text or "").split(","))
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "Bucket bounds must be increasing positive whole days separated by commas, "
                    "for example 30,60,90,120 (got %(bounds)s).",
                    bounds=text,
                )
            ) from error

    def _get_bounds(self):
        self.ensure_one()
        return self._parse_bounds(self.bounds)

    @api.constrains("bounds")
    def _check_bounds(self):
        for bucket_set in self:
            bucket_set._get_bounds()

    @api.model_create_multi
    def create(self, vals_list):
        bucket_sets = super().create(vals_list)
        bucket_sets._sync_buckets()
        return bucket_sets

    def write(self, vals):
        res = super().write(vals)
        if "bounds" in vals or "bucket_ids" in vals:
            self._sync_buckets()
        return res

    def _sync_buckets(self):
        """One bucket record per bucket of the bounds: missing ones are added with a zero
        rate, extra ones removed; the rates of the others are kept."""
        Bucket = self.env["customer.risk.aging.bucket"]
        missing, extra = [], Bucket
        for bucket_set in self:
            count = len(bucket_set._get_bounds()) + 2
            indexes = set(bucket_set.bucket_ids.mapped("index"))
            missing += [
                {"bucket_set_id": bucket_set.id, "index": index}
                for index in range(count)
                if index not in indexes
            ]
            extra |= bucket_set.bucket_ids.filtered(
                lambda bucket, count=count: bucket.index >= count
            )
        extra.unlink()
        Bucket.create(missing)

    @api.model
    def _default_for_company(self, company):
        """The bucket set a company uses unless the user picks another."""
        return self.search(
            [("company_id", "in", [company.id, False])], order="company_id, sequence, id", limit=1
        )
