from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

OFFICER = "customer_risk.group_risk_officer"
# The activity type of the suite's To-Dos (reviews, approvals, follow-up actions).
TASK_ACTIVITY_TYPE = "mail.mail_activity_data_todo"


class CustomerRiskOfficerMixin(models.AbstractModel):
    """Work of the credit team: only credit officers (and managers, who are officers too)
    take its actions, checked on the server whatever the client sends. A model sets
    ``_risk_officer_writes`` when every creation and change of its records is theirs."""

    _name = "customer.risk.officer.mixin"
    _description = "Credit Team Work"
    _risk_officer_writes = False

    @api.model
    def _check_officer(self):
        if not self.env.su and not self.env.user.has_group(OFFICER):
            raise AccessError(
                self.env._(
                    "Only credit officers and managers work on %(records)s.",
                    records=self.env["ir.model"]._get(self._name).name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if self._risk_officer_writes:
            self._check_officer()
        return super().create(vals_list)

    def write(self, vals):
        if self._risk_officer_writes:
            self._check_officer()
        return super().write(vals)


class CustomerRiskCustomerMixin(models.AbstractModel):
    """A record about one customer (its ``partner_id``): always the company, never one of
    its contacts, so that every figure and decision of the customer is found in one place."""

    _name = "customer.risk.customer.mixin"
    _description = "Record About a Customer"

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for record in self:
            partner = record.partner_id
            if partner != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(records)s concern the company %(company)s, not its contact "
                        "%(contact)s.",
                        records=self.env["ir.model"]._get(self._name).name,
                        company=partner.commercial_partner_id.display_name,
                        contact=partner.display_name,
                    )
                )


class CustomerRiskKeptMixin(models.AbstractModel):
    """Records whose deletion rules (``@api.ondelete``, ``ondelete="restrict"``) hold
    whatever the client sends. Odoo skips those rules when the context carries its
    module-uninstallation flag, and any RPC client can put that key in its context: here
    the flag counts only while a module is really being uninstalled."""

    _name = "customer.risk.kept.mixin"
    _description = "Record Kept by Its Deletion Rules"

    def unlink(self):
        if self.env.context.get(MODULE_UNINSTALL_FLAG) and not self._risk_uninstalling():
            return self.with_context(**{MODULE_UNINSTALL_FLAG: False}).unlink()
        return super().unlink()

    @api.model
    def _risk_uninstalling(self):
        modules = self.env["ir.module.module"].sudo()
        return bool(modules.search_count([("state", "=", "to remove")], limit=1))
