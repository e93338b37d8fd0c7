import { registry } from "@web/core/registry";

/**
 * The accountant opens the follow-up report (customers that need action today), sends the
 * due reminder of an overdue customer, then exports the receivables aging to Excel and
 * looks at it.
 */
registry.category("web_tour.tours").add("customer_risk_collections_accountant", {
    steps: () => [
        {
            content: "The overdue customer needs a follow-up today",
            trigger:
                ".o_list_view .o_data_row:has(td[name=display_name]:contains(Low Risk Trading)) td[name=followup_next_level_id]:contains(Payment reminder)",
        },
        {
            content: "Send its reminder now",
            trigger:
                ".o_list_view .o_data_row:has(td[name=display_name]:contains(Low Risk Trading)) button[name=action_followup_process]",
            run: "click",
        },
        {
            content: "The report says the follow-up was executed",
            trigger: ".o_notification:contains(1 follow-ups executed)",
        },
        {
            content: "The customer left the list of today's actions",
            trigger:
                ".o_action_manager .o_list_view:not(:has(.o_data_row td[name=display_name]:contains(Low Risk Trading)))",
        },
        {
            content: "Open the Collections menu",
            trigger:
                "button[data-menu-xmlid='customer_risk_collections.customer_risk_collections_menu_root']",
            run: "click",
        },
        {
            content: "Open the aging report",
            trigger:
                "a[data-menu-xmlid='customer_risk_collections.customer_risk_aging_report_menu']",
            run: "click",
        },
        {
            content: "The aging is as of today",
            trigger: ".modal .o_form_view div[name=date] input:not(:value(''))",
        },
        {
            content: "Export it to Excel",
            trigger: ".modal .modal-footer button[name=action_export_xlsx]",
            run: "click",
        },
        {
            content: "Then look at it on screen",
            trigger: ".modal .modal-footer button[name=action_view]",
            run: "click",
        },
        {
            content: "The aging shows the overdue customer",
            trigger: ".o_pivot_view .o_pivot_header_cell_closed:contains(Low Risk Trading)",
        },
    ],
});
