import base64
import io

import openpyxl

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.customer_risk.tests.common import CustomerRiskCommon


class CollectionsCommon(CustomerRiskCommon):
    """The credit core's fixtures plus an accountant, a credit officer without invoicing
    rights, and a bucket set of their own (the default rates may be edited in a database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user_vals = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.user_accountant = new_test_user(
            cls.env,
            "risk_t_accountant",
            groups="account.group_account_user,customer_risk.group_risk_user",
            **user_vals,
        )
        cls.user_officer_only = new_test_user(
            cls.env,
            "risk_t_officer_only",
            groups="base.group_user,customer_risk.group_risk_officer",
            **user_vals,
        )
        cls.bucket_set = cls.env["customer.risk.aging.bucket.set"].create(
            {
                "name": "Test buckets",
                "sequence": 0,
                "bounds": "30,60,90,120",
                "bucket_ids": [
                    Command.create({"index": index, "provision_rate": rate})
                    for index, rate in enumerate((0.0, 1.0, 5.0, 10.0, 25.0, 50.0))
                ],
            }
        )
        cls.receivable = cls.company_data["default_account_receivable"]

    @classmethod
    def pay(cls, invoice, amount, date, currency=None):
        """Register a payment of ``amount`` on ``invoice`` dated ``date``."""
        vals = {"amount": amount, "payment_date": date}
        if currency:
            vals["currency_id"] = currency.id
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(vals)
            ._create_payments()
        )

    @classmethod
    def receive(cls, partner, amount, date, company=None):
        """A posted customer payment of ``amount`` dated ``date``, matched to nothing."""
        company = company or cls.company
        payment = (
            cls.env["account.payment"]
            .with_company(company)
            .create(
                {
                    "amount": amount,
                    "date": date,
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "company_id": company.id,
                }
            )
        )
        payment.action_post()
        return payment

    @staticmethod
    def receivable_lines(records):
        """Receivable journal items of invoices or payments."""
        moves = records if records._name == "account.move" else records.move_id
        return moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    @classmethod
    def make_company_invoice(cls, company, partner, amount, invoice_date, due_date=None):
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due_date or invoice_date,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def aging_wizard(self, date, user=None, **vals):
        """An aging report wizard created as ``user`` (the accountant by default)."""
        user = user or self.user_accountant
        return (
            self.env["customer.risk.aging.report"]
            .with_user(user)
            .with_company(user.company_id)
            .create(
                {
                    "date": fields.Date.to_date(date),
                    "bucket_set_id": self.bucket_set.id,
                    **vals,
                }
            )
        )

    def read_xlsx(self, action):
        """The workbook a download action points to: per sheet, its header and its rows
        below the header (the totals row last)."""
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        result = {}
        for sheet in book.worksheets:
            rows = [list(row) for row in sheet.iter_rows()]
            # The header is the last frozen row.
            header_index = sheet.freeze_panes and int(sheet.freeze_panes[1:]) - 2
            header = [cell.value for cell in rows[header_index]]
            result[sheet.title] = {
                "sheet": sheet,
                "header": header,
                "rows": [[cell.value for cell in row] for row in rows[header_index + 1 :]],
                "cells": [cell for row in rows for cell in row],
                "attachment": attachment,
            }
        return result
