import { registry } from "@web/core/registry";

/**
 * The salesperson whose quotation the credit check blocks: the form shows why before
 * Confirm, Confirm is refused with the reasons, and a credit release is requested with a
 * justification, from the refusal itself (`fromMessage`) or from the quotation's button.
 * `text` holds the labels the tour must read, in the user's language.
 */
function requestReleaseSteps(text, fromMessage) {
    return [
        {
            content: "The quotation tells why the credit check blocks it, before Confirm",
            trigger: `.o_form_view div[name=risk_check_banner] .alert-danger:contains(${text.blockedBanner})`,
        },
        {
            content: "and the customer's risk figures",
            trigger: `.o_form_view div[name=risk_check_banner] .alert-info:contains(${text.riskTier}):contains(Tour tier)`,
        },
        {
            content: "The blocking reason is listed",
            trigger: ".o_form_view .alert-danger [name=risk_check_blocking]:not(:empty)",
        },
        {
            content: "Try to confirm the quotation anyway",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The confirmation is refused with the customer and the reasons",
            trigger: `.modal .o_error_dialog [role=alert]:contains(Tour Blocked Customer):contains(${text.refused})`,
        },
        ...(fromMessage
            ? [
                  {
                      content: "Request a credit release right from the refusal",
                      trigger: `.modal .o_error_dialog .modal-footer .btn-primary:contains(${text.requestButton})`,
                      run: "click",
                  },
              ]
            : [
                  {
                      content: "Close the refusal",
                      trigger: ".modal .o_error_dialog .modal-header .btn-close",
                      run: "click",
                  },
                  {
                      content: "The quotation is still a quotation",
                      trigger:
                          ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=draft]",
                  },
                  {
                      content: "Request a credit release from the quotation",
                      trigger: `.o_form_view .o_statusbar_buttons button[name=action_request_risk_release]:contains(${text.requestButton})`,
                      run: "click",
                  },
              ]),
        {
            content: "The request shows its figures and asks for a justification",
            trigger: `.modal .o_form_view:contains(${text.justificationTitle}) div[name=request_note] textarea`,
            run: `edit ${text.justification}`,
        },
        {
            content: "Send the request",
            trigger: `.modal .modal-footer .o_form_button_save:contains(${text.save})`,
            run: "click",
        },
        {
            content: "No dialog is left open",
            trigger: "body:not(:has(.modal))",
        },
        // Requested from the refusal or from the quotation's button, the form reloads and
        // shows the request.
        {
            content: "The quotation now links its pending credit release",
            trigger:
                ".o_form_view button[name=action_view_risk_releases] .o_stat_value:contains(1)",
        },
        {
            content: "and says that it waits for a credit manager",
            trigger: ".o_form_view div[name=risk_check_banner] .alert-info:not(.d-flex)",
        },
    ];
}

registry.category("web_tour.tours").add("customer_risk_salesperson_release_request", {
    steps: () =>
        requestReleaseSteps({
            blockedBanner: "The credit check blocks this order",
            refused: "cannot be confirmed",
            requestButton: "Request Credit Release",
            riskTier: "Risk tier",
            justificationTitle: "Justification",
            justification: "Long-standing customer; this order is paid by letter of credit.",
            save: "Save",
        }, true),
});

// The same journey for a salesperson whose language is Chinese: every label the tour reads
// is the Chinese one, so the tour fails if the screen falls back to English.
registry.category("web_tour.tours").add("customer_risk_salesperson_release_request_zh", {
    steps: () =>
        requestReleaseSteps({
            blockedBanner: "信用检查阻止了此订单",
            refused: "无法确认",
            requestButton: "申请信用放行",
            riskTier: "风险等级",
            justificationTitle: "申请理由",
            justification: "长期客户，此订单以信用证付款。",
            save: "保存",
        }, false),
});

/**
 * After a credit manager approved the release, the salesperson confirms the quotation.
 */
registry.category("web_tour.tours").add("customer_risk_salesperson_confirms_released", {
    steps: () => [
        {
            content: "The quotation says the approved release covers it",
            trigger:
                ".o_form_view div[name=risk_check_banner] .alert-warning [name=risk_check_warnings]:contains(Covered by the credit release approved by Tour Credit Manager)",
        },
        {
            content: "Nothing blocks it any more",
            trigger: ".o_form_view:not(:has(div[name=risk_check_banner] .alert-danger:visible))",
        },
        {
            content: "Confirm the quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "It is a sales order now",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=sale]",
        },
    ],
});
