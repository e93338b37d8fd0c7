from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .customer_risk_control_template import CONTROL_POINTS

UNDECIDED_INDEX = "customer_risk_control_check_undecided_uniq"


class CustomerRiskControlCheck(models.Model):
    """The checklist of one controlled record at one control point: its items must be done
    (with evidence, by someone other than the decider where the template says so) before the
    decision passes the gate. Once a decision passed, the checklist is locked."""

    _name = "customer.risk.control.check"
    _description = "Control Checklist"
    _inherit = ["mail.thread", "customer.risk.officer.mixin"]
    _order = "id desc"
    _check_company_auto = True

    template_id = fields.Many2one(
        "customer.risk.control.template",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    control_point = fields.Selection(CONTROL_POINTS, required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    res_model = fields.Char(string="Controlled Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Controlled Record ID", model_field="res_model", required=True, readonly=True
    )
    record_ref = fields.Reference(
        selection="_selection_record_model",
        string="Controlled Record",
        compute="_compute_record_ref",
    )
    record_name = fields.Char(string="Record", readonly=True)
    item_ids = fields.One2many("customer.risk.control.check.item", "check_id")
    item_count = fields.Integer(compute="_compute_counts", store=True)
    mandatory_count = fields.Integer(compute="_compute_counts", store=True)
    mandatory_done_count = fields.Integer(
        string="Mandatory Items Done", compute="_compute_counts", store=True
    )
    state = fields.Selection(
        [("open", "Open"), ("complete", "Complete")],
        compute="_compute_counts",
        store=True,
        help="Complete when every mandatory item is done.",
    )
    gate_passed_on = fields.Datetime(
        string="Decided On",
        readonly=True,
        copy=False,
        help="When the controlled decision passed this checklist; it is locked from then on.",
    )
    gate_passed_by_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)

    def init(self):
        # A record has one undecided checklist per control point; a customer's escalations
        # each have one, so the checklists already decided are not counted.
        res = super().init()
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (res_model, res_id, control_point)
                    WHERE gate_passed_on IS NULL""",
                SQL.identifier(UNDECIDED_INDEX),
                SQL.identifier(self._table),
            )
        )
        return res

    @api.model
    def _selection_record_model(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for check in self:
            check.record_ref = (
                f"{check.res_model},{check.res_id}"
                if check.res_model in self.env and check.res_id
                else False
            )

    @api.depends("template_id.name", "record_name")
    def _compute_display_name(self):
        for check in self:
            check.display_name = self.env._(
                "%(checklist)s: %(record)s",
                checklist=check.template_id.name or "",
                record=check.record_name or "",
            )

    @api.depends("item_ids.done", "item_ids.mandatory")
    def _compute_counts(self):
        for check in self:
            mandatory = check.item_ids.filtered("mandatory")
            check.item_count = len(check.item_ids)
            check.mandatory_count = len(mandatory)
            check.mandatory_done_count = len(mandatory.filtered("done"))
            check.state = "complete" if all(mandatory.mapped("done")) else "open"

    # ------------------------------------------------------------------ guards

    def write(self, vals):
        # A checklist changes through its items (whose own guard checks each change); its
        # fields are set by code.
        if not self.env.su and any(
            not name.startswith(("message_", "activity_")) and name != "item_ids" for name in vals
        ):
            raise AccessError(
                self.env._("A checklist changes only through the buttons of its items.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------ API

    @api.model
    def _risk_checklist_for(self, records, control_point, undecided=False):
        """The checklists of ``records`` at ``control_point``; those missing are created
        from the active template of the record's company (none when no template is active).
        With ``undecided``, for records that see one decision after another (a customer's
        escalations), a checklist that already let a decision pass is done with: only the
        others count, and a new one is made for the next decision."""
        if not records:
            return self.browse()
        domain = [
            ("res_model", "=", records._name),
            ("res_id", "in", records.ids),
            ("control_point", "=", control_point),
        ]
        if undecided:
            domain.append(("gate_passed_on", "=", False))
        checks = self.sudo().search(domain)
        Template = self.env["customer.risk.control.template"]
        templates = {}
        vals_list = []
        for record in records.browse(set(records.ids) - set(checks.mapped("res_id"))):
            company = self._risk_company_of(record)
            if company not in templates:
                templates[company] = Template._risk_template_for(control_point, company)
            if templates[company]:
                vals_list.append(templates[company]._prepare_check_vals(record, company))
        if vals_list:
            checks |= self.sudo().create(vals_list)
        return checks.with_env(self.env)

    @api.model
    def _risk_company_of(self, record):
        """The company whose template controls ``record``: its own, else the current one."""
        return (record.company_id if "company_id" in record._fields else None) or self.env.company

    @api.model
    def _risk_gate(self, records, control_point, deciding_user):
        """Let ``deciding_user`` take the decision at ``control_point`` on ``records`` only
        when their checklists are complete: every mandatory item done, with its evidence
        where required, and by someone else where the item says so. Raises a UserError
        listing what is missing; records whose company has no active template pass."""
        checks = self._risk_checklist_for(records, control_point)
        problems = []
        for check in checks:
            missing = check._risk_gate_problems(deciding_user)
            if missing:
                problems.append(
                    self.env._(
                        "%(checklist)s:\n%(items)s",
                        checklist=check.display_name,
                        items="\n".join(f"- {line}" for line in missing),
                    )
                )
        if problems:
            raise UserError(
                self.env._(
                    "The control checklist is not complete:\n%(problems)s\n\nComplete it from "
                    "the Checklist button of the record before deciding.",
                    problems="\n".join(problems),
                )
            )
        checks.filtered(lambda c: not c.gate_passed_on).sudo().write(
            {"gate_passed_on": fields.Datetime.now(), "gate_passed_by_id": deciding_user.id}
        )
        return checks

    def _risk_gate_problems(self, deciding_user):
        """Why this checklist does not let ``deciding_user`` decide (empty when it does)."""
        self.ensure_one()
        problems = []
        for item in self.item_ids.filtered("mandatory"):
            if not item.done:
                problems.append(self.env._("%(item)s: not done", item=item.name))
            elif item.other_than_decider and item.done_by_id == deciding_user:
                problems.append(
                    self.env._(
                        "%(item)s: done by %(user)s, who decides; another person must do it",
                        item=item.name,
                        user=deciding_user.name,
                    )
                )
            elif item.evidence_required and not item.evidence:
                problems.append(self.env._("%(item)s: evidence missing", item=item.name))
        return problems

    @api.model
    def _risk_open_for(self, record, control_point, undecided=False):
        """The action opening ``record``'s checklist at ``control_point`` for the credit
        team, created from the active template if needed (``undecided``: see
        ``_risk_checklist_for``)."""
        self._check_officer()
        record.check_access("read")
        check = self._risk_checklist_for(record, control_point, undecided=undecided)
        if not check:
            labels = dict(self._fields["control_point"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "No checklist template is active for %(control_point)s in %(company)s.",
                    control_point=labels[control_point],
                    company=self._risk_company_of(record).name,
                )
            )
        return check._risk_action_open()

    def _risk_action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
