from markupsafe import escape

from odoo import api, models
from odoo.exceptions import ValidationError

from .. import tools
from .html_once import store_html_once


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _risk_post(self, **kwargs):
        """Record a credit decision in the chatter as the current user, even when that user
        has no email address (Odoo refuses such an author otherwise): the record of who
        decided must never make the decision itself fail."""
        kwargs.setdefault("author_id", self.env.user.partner_id.id)
        return self.sudo().message_post(**kwargs)

    def _risk_log_notes(self, notes, partner_ids=False):
        """``_risk_post`` of many internal notes at once: ``notes`` is a list of (record id,
        text or Markup), several notes of one record allowed; no notification is sent, as for
        a note posted one by one (``partner_ids``: partners the notes are linked to). Each
        body is sanitized once (``store_html_once``). Returns the messages."""
        rounds = []
        for record_id, body in notes:
            for bodies in rounds:
                if record_id not in bodies:
                    break
            else:
                bodies = {}
                rounds.append(bodies)
            bodies[record_id] = escape(body)
        messages = self.env["mail.message"].sudo()
        for bodies in rounds:
            # Logged empty, then each body stored sanitized once.
            logged = (
                self.browse(list(bodies))
                .sudo()
                ._message_log_batch(
                    bodies={}, author_id=self.env.user.partner_id.id, partner_ids=partner_ids
                )
            )
            store_html_once(logged, "body", {m.id: bodies[m.res_id] for m in logged})
            messages |= logged
        return messages

    @api.model
    def _risk_check_amount_vals(self, vals, names):
        """Refuse, before Odoo converts them, values of the amount fields ``names`` that no
        credit decision can use (text, NaN, infinite, negative, absurdly large): any client
        may send them."""
        bad = [name for name in names if name in vals and not tools.valid_amount(vals[name])]
        if bad:
            raise ValidationError(
                self.env._(
                    "%(fields)s: enter an amount from 0 to %(max)s.",
                    fields=", ".join(self._fields[n]._description_string(self.env) for n in bad),
                    max=tools.MAX_AMOUNT_TEXT,
                )
            )
