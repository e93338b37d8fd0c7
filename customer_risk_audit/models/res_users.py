from odoo import fields, models
from odoo.exceptions import UserError

# Training topics a decider must hold a valid certificate on, per control point.
QUALIFYING_TOPICS = {
    "screening_approval": ("screening",),
    "release_approval": ("credit_assessment",),
    "limit_change_approval": ("credit_assessment",),
    "contract_activation": ("contracts",),
}


class ResUsers(models.Model):
    _inherit = "res.users"

    def _risk_check_qualified(self, company, control_point):
        """Refuse the decision at ``control_point`` in ``company`` when the company requires
        valid training and policy acknowledgement and this user lacks either."""
        self.ensure_one()
        if not company.risk_require_qualification:
            return
        today = fields.Date.context_today(self)
        problems = self._risk_qualification_problems(
            company, QUALIFYING_TOPICS.get(control_point, ()), today
        )
        if problems:
            raise UserError(
                self.env._(
                    "%(user)s may not take this decision in %(company)s yet:\n%(problems)s",
                    user=self.name,
                    company=company.name,
                    problems="\n".join(f"- {problem}" for problem in problems),
                )
            )

    def _risk_qualification_problems(self, company, topics, today):
        """What this user lacks to decide in ``company`` on ``today``: a valid certificate
        on each of ``topics``, and an acknowledgement of the current credit policy."""
        self.ensure_one()
        problems = []
        if topics:
            valid = (
                self.env["customer.risk.training.attendee"]
                .sudo()
                ._read_group(
                    [
                        ("user_id", "=", self.id),
                        ("company_id", "=", company.id),
                        ("result", "=", "passed"),
                        ("topic", "in", list(topics)),
                        "|",
                        ("certificate_expiry", "=", False),
                        ("certificate_expiry", ">=", today),
                    ],
                    groupby=["topic"],
                )
            )
            covered = {topic for (topic,) in valid}
            labels = dict(
                self.env["customer.risk.training"]._fields["topic"]._description_selection(self.env)
            )
            problems += [
                self.env._("no valid training certificate on %(topic)s", topic=labels[topic])
                for topic in topics
                if topic not in covered
            ]
        policy = self.env["customer.risk.policy"]._risk_current(company, today)
        if policy and not policy._risk_acknowledged_by(self):
            problems.append(
                self.env._(
                    "the credit policy %(policy)s is not acknowledged", policy=policy.display_name
                )
            )
        return problems

    def write(self, vals):
        """A credit manager's release authority is a decision of another manager: logged
        per user, in the company it applies to."""
        if "risk_release_max_amount" not in vals:
            return super().write(vals)
        Log = self.env["customer.risk.audit.log"]
        before = {
            user.id: Log._risk_values(user.sudo(), ["risk_release_max_amount"]) for user in self
        }
        res = super().write(vals)
        for user in self:
            Log._risk_log_changes(
                user.sudo(), "authority_change", before[user.id], company=self.env.company
            )
        return res
