from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestBucketSet(CollectionsCommon):
    """A bucket set holds one bucket per range of its bounds, labelled in days."""

    def labels(self, bucket_set):
        return [(b.index, b.display_name) for b in bucket_set.bucket_ids.sorted("index")]

    def test_default_set_and_labels(self):
        standard = self.env.ref("customer_risk_collections.customer_risk_aging_bucket_set_standard")
        self.assertEqual(
            self.labels(standard),
            [
                (0, "Not due"),
                (1, "1-30"),
                (2, "31-60"),
                (3, "61-90"),
                (4, "91-120"),
                (5, "Over 120"),
            ],
        )
        self.assertEqual(
            standard.bucket_ids.sorted("index").mapped("provision_rate"),
            [0.0, 1.0, 5.0, 10.0, 25.0, 50.0],
        )

    def test_bounds_change_keeps_rates(self):
        bucket_set = self.env["customer.risk.aging.bucket.set"].create(
            {"name": "Quarterly", "bounds": "90"}
        )
        self.assertEqual(self.labels(bucket_set), [(0, "Not due"), (1, "1-90"), (2, "Over 90")])
        bucket_set.bucket_ids.filtered(lambda b: b.index == 1).provision_rate = 20.0
        bucket_set.bounds = "90, 180 ,365"
        self.assertEqual(
            self.labels(bucket_set),
            [(0, "Not due"), (1, "1-90"), (2, "91-180"), (3, "181-365"), (4, "Over 365")],
        )
        self.assertEqual(
            bucket_set.bucket_ids.sorted("index").mapped("provision_rate"),
            [0.0, 20.0, 0.0, 0.0, 0.0],
        )
        bucket_set.bounds = "90"
        self.assertEqual(len(bucket_set.bucket_ids), 3)
        self.assertEqual(bucket_set._get_bounds(), (90,))

    def test_invalid_bounds_and_rates(self):
        BucketSet = self.env["customer.risk.aging.bucket.set"]
        for bounds in ("", "30,30", "60,30", "0,30", "-5", "30;60", "thirty", "30.5"):
            with self.subTest(bounds=bounds), self.assertRaises(ValidationError):
                BucketSet.create({"name": "Bad", "bounds": bounds})
        with self.assertRaises(ValidationError):
            self.bucket_set.bucket_ids[:1].provision_rate = 120.0

    def test_default_for_company(self):
        BucketSet = self.env["customer.risk.aging.bucket.set"]
        own = BucketSet.create({"name": "Own", "bounds": "45", "company_id": self.company.id})
        self.assertEqual(BucketSet._default_for_company(self.company), own)
        wizard = self.env["customer.risk.aging.report"].create({})
        self.assertEqual(wizard.bucket_set_id, own)
