import { registry } from "@web/core/registry";

/**
 * The credit manager opens the pending releases (Credit Releases > Credit Holds), reads
 * the request and approves it with a note.
 */
registry.category("web_tour.tours").add("customer_risk_manager_approves_release", {
    steps: () => [
        {
            content: "The pending request of the blocked customer is listed",
            trigger: ".o_list_view .o_data_row td[name=partner_id]:contains(Tour Blocked Customer)",
            run: "click",
        },
        {
            content: "The request shows the salesperson's justification",
            trigger: ".o_form_view div[name=request_note]:contains(Long-standing customer)",
        },
        {
            content: "and the blocking reasons",
            trigger: ".o_form_view div[name=reasons]:contains(Credit limit exceeded)",
        },
        {
            content: "Note why the order may go through",
            trigger: ".o_form_view div[name=decision_note] textarea",
            run: "edit Paid on time for three years; order covered by a letter of credit.",
        },
        {
            content: "Approve",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "The release is approved",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=approved]",
        },
        {
            content: "with its validity date",
            trigger: ".o_form_view div[name=valid_until]:not(:empty)",
        },
    ],
});
