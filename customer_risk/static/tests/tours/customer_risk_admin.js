import { registry } from "@web/core/registry";

/**
 * The administrator opens Credit Control's settings, makes the check block customers never
 * assessed and shortens the release validity, then tightens the High risk tier.
 */
registry.category("web_tour.tours").add("customer_risk_admin_configures", {
    steps: () => [
        {
            content: "The Credit Control settings are shown",
            trigger: ".o_settings_container div[name=risk_unassessed_policy]",
        },
        {
            content: "Block customers never assessed",
            trigger: "div[name=risk_unassessed_policy] input[data-value=block]",
            run: "click",
        },
        {
            content: "Releases stay valid two weeks",
            trigger: "div[name=risk_release_validity_days] input",
            run: "edit 14",
        },
        {
            content: "Save the settings (the web client reloads)",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The settings are saved",
            trigger: ".o_form_view:not(:has(.o_dirty_warning))",
        },
        {
            content: "The saved validity is shown",
            trigger: "div[name=risk_release_validity_days] input:value(14)",
        },
        {
            // Configuration is the last section of the app's menu bar: on a narrow screen
            // Odoo moves it into the "+" overflow menu, so the tour opens the tiers by URL.
            content: "Open Configuration > Risk Tiers",
            trigger: "div[name=risk_release_validity_days] input:value(14)",
            run: "goToUrl /odoo/action-customer_risk.customer_risk_tier_action",
            expectUnloadPage: true,
        },
        {
            content: "The Risk Tiers list is shown",
            trigger: ".o_breadcrumb:contains(Risk Tiers)",
        },
        {
            content: "Open the High risk tier",
            trigger: ".o_list_view .o_data_row td[name=code]:contains(HIGH)",
            run: "click",
        },
        {
            content: "Review High risk customers every three months",
            trigger: ".o_form_view div[name=review_interval_months] input",
            run: "edit 3",
        },
        {
            content: "Allow at most 15 days overdue",
            trigger: ".o_form_view div[name=max_overdue_days] input",
            run: "edit 15",
        },
        {
            content: "Save the tier",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Back to the tiers",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The list shows the new rules of the High risk tier",
            trigger:
                ".o_list_view .o_data_row:has(td[name=code]:contains(HIGH)):has(td[name=review_interval_months]:contains(3)):has(td[name=max_overdue_days]:contains(15))",
        },
    ],
});
