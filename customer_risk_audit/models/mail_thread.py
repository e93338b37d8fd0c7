from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _risk_audit_event(self, event, body, before=None, after=None, reason=None):
        """Record the internal-control event ``event`` (a stable code such as
        ``checklist_completed`` or ``finding_closed``) on each record of ``self``.

        ``body`` is the translated sentence people read in the chatter; ``before``,
        ``after`` (dicts of values) and ``reason`` are what the append-only audit log keeps
        of the event. Every control event of this addon goes through here, so routing them
        to the log is a change of this one method."""
        Log = self.env["customer.risk.audit.log"]
        for record in self:
            record._risk_post(body=body, subtype_xmlid="mail.mt_note")
            Log._risk_log(record, event, before=before or {}, after=after or {}, reason=reason)
