from odoo import fields, models
from odoo.exceptions import AccessError, UserError

# Officers write these while the item is not done; the rest is set by the buttons.
EDITABLE = {"note", "evidence", "evidence_name"}


class CustomerRiskControlCheckItem(models.Model):
    _name = "customer.risk.control.check.item"
    _description = "Control Checklist Item"
    _order = "sequence, id"

    check_id = fields.Many2one(
        "customer.risk.control.check", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="check_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True)
    name = fields.Char(required=True, readonly=True)
    description = fields.Text(readonly=True)
    mandatory = fields.Boolean(readonly=True)
    evidence_required = fields.Boolean(readonly=True)
    other_than_decider = fields.Boolean(string="Done by Someone Else", readonly=True)
    done = fields.Boolean(readonly=True)
    done_by_id = fields.Many2one("res.users", readonly=True)
    done_on = fields.Datetime(readonly=True)
    evidence = fields.Binary(attachment=True, copy=False)
    evidence_name = fields.Char(string="Evidence File Name")
    note = fields.Text()

    def write(self, vals):
        if not self.env.su:
            self.check_id._check_officer()
            if set(vals) - EDITABLE:
                raise AccessError(
                    self.env._("Checklist items are done and undone with their buttons.")
                )
            self._check_editable()
            if any(item.done for item in self):
                raise UserError(
                    self.env._("Undo a checklist item before changing its note or evidence.")
                )
        return super().write(vals)

    def _check_editable(self):
        locked = self.check_id.filtered("gate_passed_on")
        if locked:
            raise UserError(
                self.env._(
                    "%(checklist)s was used for a decision and can no longer change.",
                    checklist=locked[0].display_name,
                )
            )

    def action_mark_done(self):
        self.check_id._check_officer()
        self.check_access("write")
        self._check_editable()
        for item in self:
            if item.evidence_required and not item.evidence:
                raise UserError(
                    self.env._("Attach the evidence of %(item)s first.", item=item.name)
                )
        checks = self.check_id
        complete_before = checks.filtered(lambda c: c.state == "complete")
        self.filtered(lambda i: not i.done).sudo().write(
            {"done": True, "done_by_id": self.env.uid, "done_on": fields.Datetime.now()}
        )
        for check in checks - complete_before:
            if check.state == "complete":
                check._risk_audit_event(
                    "checklist_completed",
                    self.env._(
                        "Checklist complete: every mandatory item is done (last by %(user)s).",
                        user=self.env.user.name,
                    ),
                    before={"state": "open"},
                    after={"state": "complete"},
                )
        return True

    def action_mark_undone(self):
        self.check_id._check_officer()
        self.check_access("write")
        self._check_editable()
        self.sudo().write({"done": False, "done_by_id": False, "done_on": False})
        return True
