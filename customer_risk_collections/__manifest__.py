{
    "name": "Credit Control: Collections",
    "summary": "Receivables aging as of any date, follow-up levels and runs, promises to pay, "
    "collection KPIs and bad-debt provisions",
    "version": "18.0.1.0.0",
    "category": "Accounting/Credit Control",
    "website": "https://github.com/customer-risk/customer-risk",
    "author": "Customer Risk Team",
    "license": "LGPL-3",
    "depends": ["customer_risk"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/customer_risk_collections_security.xml",
        "data/customer_risk_aging_bucket_set_data.xml",
        "data/ir_cron.xml",
        "views/customer_risk_aging_bucket_set_views.xml",
        "views/customer_risk_kpi_snapshot_views.xml",
        "wizards/customer_risk_aging_report_views.xml",
        "wizards/customer_risk_provision_report_views.xml",
        "wizards/customer_risk_kpi_recompute_views.xml",
        "report/customer_risk_aging_report_templates.xml",
        "views/customer_risk_collections_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
}
