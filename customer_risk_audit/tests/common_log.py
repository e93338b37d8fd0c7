from functools import partial

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.customer_risk.tests.common_check import CreditCheckCommon
from odoo.addons.customer_risk_audit.models.customer_risk_audit_log import rewrite_lasting

# Context keys a client may send: none of them switches a check or the log off.
CLIENT_CONTEXTS = (
    {},
    {"tracking_disable": True},
    {"mail_notrack": True},
    {"bypass_risk_check": True},
    {"active_test": False},
    {"mail_create_nolog": True, "mail_activity_automation_skip": True},
)


class AuditLogCommon(CreditCheckCommon):
    """The credit check's fixtures (the customer is in a tier where every rule blocks,
    with a limit of 1,000, set as server code would before the test's decisions) plus an
    internal auditor, and helpers to walk a limit request through its steps and to read the
    audit log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_ids = [Command.set(cls.company.ids)]
        cls.user_auditor = new_test_user(
            cls.env,
            "risk_t_auditor",
            groups="base.group_user,customer_risk_audit.group_risk_auditor",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.Log = cls.env["customer.risk.audit.log"].sudo()
        cls.Request = cls.env["customer.risk.limit.request"]
        # Setting up the fixtures was logged too; tests look at what they log themselves.
        cls.log_start = cls.Log.search([], order="id desc", limit=1).id or 0

    def logs(self, record=None, event=None, company=None):
        """Audit log entries the test wrote (oldest first), of ``record`` and ``event`` when
        given."""
        domain = [("company_id", "=", (company or self.company).id), ("id", ">", self.log_start)]
        if record is not None:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if event:
            domain.append(("event", "=", event))
        return self.Log.search(domain, order="sequence")

    def run_lasting_hooks(self, hooks):
        """Run the audit log's hooks among ``hooks`` (``cr.postrollback`` or
        ``cr.postcommit``) as Odoo does once a request's transaction has ended; in test mode
        their "own transaction" is a savepoint of the test's."""
        self.registry.enter_test_mode(self.env.cr)
        try:
            for func in list(hooks._funcs):
                if isinstance(func, partial) and func.func is rewrite_lasting:
                    hooks._funcs.remove(func)
                    func()
        finally:
            self.registry.leave_test_mode()

    def partner_risk(self, partner=None):
        return (partner or self.customer).sudo().with_company(self.company)

    def propose(self, user=None, kind="limit", submit=True, **vals):
        """A limit request proposed (and submitted) by ``user``, the first manager by
        default."""
        values = {
            "partner_id": self.customer.id,
            "company_id": self.company.id,
            "kind": kind,
            "reason": "Bigger orders announced",
            **vals,
        }
        request = self.Request.with_user(user or self.user_manager).create(values)
        if submit:
            request.action_submit()
        return request

    def approved(self, user=None, **vals):
        """A request proposed by the first manager and approved by the second one."""
        request = self.propose(user=user, **vals)
        request.with_user(self.user_manager_2).action_approve()
        return request
