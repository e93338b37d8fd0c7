import { RedirectWarningDialog } from "@web/core/errors/error_dialogs";
import { registry } from "@web/core/registry";

// The credit check's refusal that a credit release can lift is a UserError on the server
// and a RedirectWarning here: the reasons, with a button that opens the release request.
registry
    .category("error_dialogs")
    .add("odoo.addons.customer_risk.exceptions.CreditCheckBlocked", RedirectWarningDialog);
