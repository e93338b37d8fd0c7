import re
from unittest.mock import patch

from markupsafe import Markup

from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_risk.models.html_once import create_html_once, store_html_once

# What the sanitizer changes: a script, an event handler, a style it filters, a quote it
# marks, an unclosed tag, text needing escapes; and plain HTML it keeps as it is.
BODIES = [
    Markup(
        '<div style="margin: 0px; position: fixed; font-size: 13px;">'
        '<p onclick="alert(1)">Dear <b>Ann</b> &amp; co,</p><script>alert(2)</script>'
        '<table style="border-collapse: collapse"><tr><td style="padding: 4px">INV/1</td>'
        "</tr></table><blockquote>-- Original message --<p>older</p></blockquote>"
        "<p>unclosed <i>italic"
    ),
    Markup("<ul><li>INV/2 due 05/31/2025: $ 1,000.00</li></ul><p>Total</p>"),
    "plain < text & more",
    Markup('<p>An image <img src="data:image/png;base64,iVBORw0KGgo="/></p>'),
    Markup(""),
]


@tagged("post_install", "-at_install")
class TestHtmlOnce(TransactionCase):
    """``create_html_once`` stores what ``create`` stores, sanitizing each value once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Html Once Customer"})

    def message_values(self, body):
        return {
            "model": "res.partner",
            "res_id": self.partner.id,
            "message_type": "comment",
            "body": body,
        }

    def test_messages_equal_the_orm(self):
        Message = self.env["mail.message"].sudo()
        by_orm = Message.create([self.message_values(body) for body in BODIES])
        once = create_html_once(Message, [self.message_values(body) for body in BODIES])
        self.env.invalidate_all()
        self.assertEqual(len(once), len(BODIES))
        image_url = re.compile(r"/web/image/\d+\?access_token=[\w-]+")
        for orm, ours in zip(by_orm, once, strict=True):
            # Each message made its own attachment of the base64 image.
            self.assertEqual(image_url.sub("IMG", ours.body), image_url.sub("IMG", orm.body))
            self.assertEqual(
                bool(ours.attachment_ids), bool(orm.attachment_ids), "base64 image extracted"
            )
        self.assertNotIn("script", once[0].body)
        self.assertNotIn("onclick", once[0].body)
        self.assertNotIn("position", once[0].body)
        self.assertIn("data-o-mail-quote", once[0].body)
        self.assertIn("&lt; text", once[2].body)
        self.assertTrue(once[3].attachment_ids)

    def test_sanitized_once_per_value(self):
        calls = []
        field = type(self.env["mail.message"]._fields["body"])
        convert = field._convert

        def counting(fld, value, record, validate):
            if fld.name == "body" and validate and value:
                calls.append(value)
            return convert(fld, value, record, validate)

        Message = self.env["mail.message"].sudo()
        with patch.object(field, "_convert", counting):
            create_html_once(Message, [self.message_values(BODIES[1])] * 3)
        self.assertEqual(len(calls), 3)
        calls.clear()
        with patch.object(field, "_convert", counting):
            Message.create([self.message_values(BODIES[1])] * 3)
        self.assertGreaterEqual(len(calls), 6, "create sanitizes twice (column and cache)")

    def test_activity_notes(self):
        Activity = self.env["mail.activity"].with_context(mail_activity_quick_update=True)
        values = {
            "res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "res_id": self.partner.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "summary": "Call",
            "user_id": self.env.user.id,
        }
        by_orm = Activity.create([dict(values, note=body) for body in BODIES[:3]])
        once = create_html_once(Activity, [dict(values, note=body) for body in BODIES[:3]])
        self.env.invalidate_all()
        self.assertEqual(once.mapped("note"), by_orm.mapped("note"))

    def test_store_refuses_other_fields(self):
        with self.assertRaises(ValueError):
            store_html_once(self.partner, "name", {self.partner.id: "x"})
