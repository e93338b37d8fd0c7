import { RedirectWarningDialog } from "@web/core/errors/error_dialogs";
import { registry } from "@web/core/registry";

/**
 * The credit check's refusal that a credit release can lift is a UserError on the server
 * and a RedirectWarning here: the reasons, with a button that opens the release request.
 * Once that request is closed, the quotation behind it is reloaded, so it shows the
 * request waiting for a credit manager.
 */
export class CreditCheckBlockedDialog extends RedirectWarningDialog {
    async onClick() {
        const actionService = this.actionService;
        const options = {
            onClose: () => actionService.doAction({ type: "ir.actions.client", tag: "soft_reload" }),
        };
        if (this.additionalContext) {
            options.additionalContext = this.additionalContext;
        }
        await actionService.doAction(this.actionId, options);
        this.props.close();
    }
}

registry
    .category("error_dialogs")
    .add("odoo.addons.customer_risk.exceptions.CreditCheckBlocked", CreditCheckBlockedDialog);
