{
    "name": "Credit Control",
    "summary": "Customer credit risk: tiers, scoring, exposure and a credit check that "
    "stops risky sale orders at confirmation",
    "version": "18.0.1.0.0",
    "category": "Sales/Credit Control",
    "website": "https://github.com/customer-risk/customer-risk",
    "author": "Customer Risk Team",
    "license": "LGPL-3",
    "depends": ["sale_management", "account", "mail"],
    "data": [
        "security/customer_risk_groups.xml",
        "security/ir.model.access.csv",
        "security/customer_risk_security.xml",
        "data/customer_risk_tier_data.xml",
        "data/ir_cron.xml",
        "views/customer_risk_tier_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/customer_risk_release_views.xml",
        "views/sale_order_views.xml",
        "views/res_users_views.xml",
        "views/customer_risk_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
    "application": True,
}
