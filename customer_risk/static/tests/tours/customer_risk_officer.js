import { registry } from "@web/core/registry";

/** Record that the check labelled `label` passed (the check list is editable). */
function passCheck(label) {
    const row = `.o_form_view .o_field_widget[name=check_ids] .o_data_row:has(td[name=check_type]:contains(${label}))`;
    return [
        {
            content: `Open the check "${label}"`,
            trigger: `${row}:not(.o_selected_row) td[name=result]:contains(Pending)`,
            run: "click",
        },
        {
            content: `"${label}" passed`,
            trigger: `${row}.o_selected_row td[name=result] select`,
            run: 'select "pass"',
        },
    ];
}

/**
 * The credit officer screens a new customer (the automatic checks ran, the officer records
 * the manual ones, submits and approves), then assesses it and confirms the assessment.
 */
registry.category("web_tour.tours").add("customer_risk_officer_screens_and_assesses", {
    steps: () => [
        {
            content: "Open the customer's Credit Risk tab",
            trigger: ".o_form_view .o_notebook_headers a[name=customer_risk]",
            run: "click",
        },
        {
            content: "Screen the customer",
            trigger: ".o_form_view button[name=action_risk_screen]",
            run: "click",
        },
        {
            content: "The screening round opens with its checks",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Tour Newcomer Electronics)",
        },
        {
            content: "The automatic tax ID check already ran",
            trigger:
                ".o_form_view .o_field_widget[name=check_ids] .o_data_row:has(td[name=check_type]:contains(Tax ID valid)) td[name=result]:not(:contains(Pending))",
        },
        ...passCheck("Registration verified"),
        ...passCheck("Litigation"),
        ...passCheck("Bank reference"),
        ...passCheck("Trade references"),
        ...passCheck("Documents received"),
        {
            content: "Save the checks",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "No check is pending any more",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=check_ids] td[name=result]:contains(Pending)))",
        },
        {
            content: "Submit the screening for review",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_submit]",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "Confirm the approval",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The screening is decided",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=decided]",
        },
        {
            content: "Back to the customer",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Tour Newcomer Electronics)",
            run: "click",
        },
        {
            content: "Open the Credit Risk tab again",
            trigger: ".o_form_view .o_notebook_headers a[name=customer_risk]",
            run: "click",
        },
        {
            content: "Assess the customer",
            trigger: ".o_form_view button[name=action_risk_assess]",
            run: "click",
        },
        {
            content: "The initial assessment is computed, factor by factor",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "Confirm the assessment",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Apply the tier, its limit and the next review date",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The assessment is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=confirmed]",
        },
    ],
});
