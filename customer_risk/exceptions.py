from odoo.exceptions import RedirectWarning, UserError


class CreditCheckBlocked(RedirectWarning, UserError):
    """The credit check refused a confirmation that a credit release can lift.

    It is a ``UserError`` for the server (callers, Odoo's HTTP layer and its logs treat it as
    one) and a ``RedirectWarning`` for the web client, which shows the reasons with a button
    that opens the release request of the order.
    """

    def __init__(self, message, action, button_text, additional_context=None):
        # Skip UserError.__init__, which takes the message only: keep RedirectWarning's args.
        Exception.__init__(self, message, action, button_text, additional_context)  # pylint: disable=non-parent-init-called

    def __str__(self):
        return self.args[0]
