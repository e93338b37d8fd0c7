from collections import defaultdict

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import tools
from .customer_risk_file_import import RowError

COLUMNS = (
    "vat",
    "ref",
    "name",
    "date",
    "rating",
    "score",
    "recommended_limit",
    "currency",
    "payment_delay_index",
    "valid_until",
)


class CustomerRiskCreditReportImport(models.TransientModel):
    """Import an agency's batch file of credit reports: each row is matched to a customer
    by tax ID (VAT) or by customer reference, the officer checks the preview, and the
    matched rows become credit reports; the others are listed with their reason."""

    _name = "customer.risk.credit.report.import"
    _inherit = ["customer.risk.file.import"]
    _description = "Import Credit Reports"

    agency_id = fields.Many2one("customer.risk.agency", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")],
        default="upload",
        required=True,
    )
    line_ids = fields.One2many(
        "customer.risk.credit.report.import.line", "wizard_id", string="Rows"
    )
    matched_count = fields.Integer(compute="_compute_counts")
    unmatched_count = fields.Integer(string="Not Imported", compute="_compute_counts")
    report_ids = fields.Many2many(
        "customer.risk.credit.report",
        "customer_risk_credit_report_import_rel",
        "wizard_id",
        "report_id",
        string="Reports Created",
    )

    def _compute_counts(self):
        for wizard in self:
            matched = wizard.line_ids.filtered(lambda line: line.status == "matched")
            wizard.matched_count = len(matched)
            wizard.unmatched_count = len(wizard.line_ids) - len(matched)

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_preview(self):
        """Read the file and match every row; nothing is created yet."""
        self.ensure_one()
        self.env["customer.risk.credit.report"]._check_officer()
        rows = self._read_rows(
            COLUMNS, required=("date",), one_of=(("vat", "ref"), ("rating", "score"))
        )
        lines = [self._parse_row(number, row) for number, row in rows]
        self._match(lines)
        self.write(
            {
                "state": "preview",
                "line_ids": [Command.clear()] + [Command.create(vals) for vals in lines],
            }
        )
        return self._reopen()

    def action_import(self):
        """Create a credit report for every matched row of the preview."""
        self.ensure_one()
        self.env["customer.risk.credit.report"]._check_officer()
        if self.state != "preview":
            raise UserError(self.env._("Preview the file before importing it."))
        matched = self.line_ids.filtered(lambda line: line.status == "matched")
        if not matched:
            raise UserError(self.env._("No row of the file matches a customer."))
        note = self.env._("Imported from %(file)s.", file=self.filename or self.env._("a file"))
        # An agency file holds thousands of rows: no "created" message on each report.
        reports = (
            self.env["customer.risk.credit.report"]
            .with_context(mail_create_nolog=True)
            .create([{**line._report_values(), "note": note} for line in matched])
        )
        self.write({"state": "done", "report_ids": [Command.set(reports.ids)]})
        return self._reopen()

    def action_view_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_credit_report_action"
        )
        action["domain"] = [("id", "in", self.report_ids.ids)]
        return action

    # ------------------------------------------------------------------ rows

    def _parse_row(self, number, row):
        """Preview values of one row; a bad cell makes the row an error naming its column."""
        vals = {
            "row": number,
            "vat": self._to_text(row.get("vat")),
            "ref": self._to_text(row.get("ref")),
            "name": self._to_text(row.get("name")),
            "rating": self._to_text(row.get("rating")),
        }
        errors = []
        # column: (field of the preview line, parser)
        parsers = {
            "date": ("date", self._to_date),
            "valid_until": ("valid_until", self._to_date),
            "score": ("score", self._to_float),
            "recommended_limit": ("recommended_limit", self._to_float),
            "payment_delay_index": ("payment_delay_index", self._to_float),
            "currency": ("currency_id", self._find_currency),
        }
        for column, (field, parse) in parsers.items():
            try:
                vals[field] = parse(row.get(column))
            except RowError as error:
                errors.append(
                    self.env._("column %(column)s: %(error)s", column=column, error=error)
                )
        if row.get("date") in (None, ""):
            errors.append(self.env._("column date: a date is required"))
        if not vals["rating"] and row.get("score") in (None, ""):
            errors.append(self.env._("columns rating / score: give a rating or a score"))
        if not vals["vat"] and not vals["ref"]:
            errors.append(self.env._("columns vat / ref: give a tax ID or a reference"))
        if (vals.get("recommended_limit") or 0.0) < 0:
            errors.append(self.env._("column recommended_limit: cannot be negative"))
        if errors:
            return {
                "row": number,
                "vat": vals["vat"],
                "ref": vals["ref"],
                "name": vals["name"],
                "status": "error",
                "reason": "; ".join(errors),
            }
        vals["score"] = vals.get("score") or 0.0
        vals["recommended_limit"] = vals.get("recommended_limit") or 0.0
        vals["payment_delay_index"] = vals.get("payment_delay_index") or 0.0
        vals["currency_id"] = vals.get("currency_id") or self.company_id.currency_id.id
        return vals

    def _find_currency(self, value):
        code = self._to_text(value).upper()
        if not code:
            return False
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency:
            raise RowError(self.env._("unknown currency %(code)s", code=code))
        return currency.id

    def _match(self, lines):
        """Give each parsed row its customer: by tax ID first, else by reference; a value
        shared by several customers, or a tax ID and a reference naming different
        customers, leave the row unmatched."""
        parsed = [vals for vals in lines if vals.get("status") != "error"]
        by_vat = self._customers_by_vat({tools.identifier_key(v["vat"]) for v in parsed})
        by_ref = self._customers_by_ref({v["ref"] for v in parsed if v["ref"]})
        existing = self._existing_reports(
            {pid for ids in (*by_vat.values(), *by_ref.values()) for pid in ids}
        )
        for vals in parsed:
            vat_key = tools.identifier_key(vals["vat"])
            vat_ids = by_vat.get(vat_key, []) if vat_key else []
            ref_ids = by_ref.get(vals["ref"], []) if vals["ref"] else []
            reason = None
            if len(vat_ids) > 1:
                reason = self.env._("several customers have tax ID %(vat)s", vat=vals["vat"])
            elif len(ref_ids) > 1 and not vat_ids:
                reason = self.env._("several customers have reference %(ref)s", ref=vals["ref"])
            elif vat_ids and ref_ids and vat_ids != ref_ids:
                reason = self.env._("the tax ID and the reference name different customers")
            elif not vat_ids and not ref_ids:
                reason = self.env._("no customer with this tax ID or reference")
            partner_id = (vat_ids or ref_ids)[0] if not reason else False
            if partner_id and (partner_id, vals["date"]) in existing:
                reason = self.env._("already imported (same agency, customer and date)")
                partner_id = False
            existing.add((partner_id, vals["date"]))
            vals.update(
                partner_id=partner_id,
                status="unmatched" if reason else "matched",
                reason=reason or False,
                matched_by=False if reason else ("vat" if vat_ids else "ref"),
            )

    def _customer_domain(self):
        return [
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
            ("company_id", "in", [self.company_id.id, False]),
        ]

    def _customers_by_vat(self, keys):
        """{tax ID key: [customer ids]} in one query, the tax IDs normalized in SQL as
        ``tools.identifier_key`` does."""
        keys = sorted(key for key in keys if key)
        if not keys:
            return {}
        Partner = self.env["res.partner"]
        Partner.flush_model(["vat", "active", "is_company", "parent_id", "company_id"])
        key_sql = SQL("upper(regexp_replace(normalize(p.vat, NFKC), '[^[:alnum:]]', '', 'g'))")
        self.env.cr.execute(
            SQL(
                """
                SELECT %(key)s, p.id FROM res_partner p
                 WHERE p.active AND p.vat IS NOT NULL
                   AND (p.is_company OR p.parent_id IS NULL)
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND %(key)s = ANY(%(keys)s)
                 ORDER BY p.id
                """,
                key=key_sql,
                company=self.company_id.id,
                keys=keys,
            )
        )
        result = defaultdict(list)
        for key, partner_id in self.env.cr.fetchall():
            result[key].append(partner_id)
        return result

    def _customers_by_ref(self, refs):
        if not refs:
            return {}
        result = defaultdict(list)
        partners = self.env["res.partner"].search(
            [("ref", "in", sorted(refs)), *self._customer_domain()], order="id"
        )
        for partner in partners:
            result[partner.ref].append(partner.id)
        return result

    def _existing_reports(self, partner_ids):
        """(customer id, date) of this agency's reports on these customers in the company."""
        reports = self.env["customer.risk.credit.report"].search(
            [
                ("agency_id", "=", self.agency_id.id),
                ("company_id", "=", self.company_id.id),
                ("partner_id", "in", list(partner_ids)),
            ]
        )
        return {(report.partner_id.id, report.date) for report in reports}
