from odoo import api, models


class CustomerRiskAuditedMixin(models.AbstractModel):
    """Credit configuration (tiers, scorecards) whose every change is logged: creation,
    each changed field with its value before and after, deletion."""

    _name = "customer.risk.audited.mixin"
    _description = "Credit Configuration Logged in the Audit Log"

    @api.model
    def _risk_audited_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.store
            and not field.automatic
            and field.type not in ("one2many", "binary")
            and not name.startswith(("message_", "activity_"))
        ]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        Log = self.env["customer.risk.audit.log"]
        names = self._risk_audited_fields()
        for record in records:
            Log._risk_log(
                record, "configuration_change", before={}, after=Log._risk_values(record, names)
            )
        return records

    def write(self, vals):
        names = [name for name in self._risk_audited_fields() if name in vals]
        if not names:
            return super().write(vals)
        Log = self.env["customer.risk.audit.log"]
        before = {record: Log._risk_values(record, names) for record in self}
        res = super().write(vals)
        for record in self:
            Log._risk_log_changes(record, "configuration_change", before[record])
        return res

    def unlink(self):
        # Logged first: the records cannot be read once deleted (a failed deletion rolls
        # the entries back with it).
        Log = self.env["customer.risk.audit.log"]
        names = self._risk_audited_fields()
        for record in self:
            Log._risk_log(
                record, "configuration_change", before=Log._risk_values(record, names), after={}
            )
        return super().unlink()
