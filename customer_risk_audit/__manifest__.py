{
    "name": "Credit Control: Internal Control and Audit",
    "summary": "Four-eyes limit changes, a tamper-evident audit log, control checklists, "
    "internal audits, training and policy acknowledgements",
    "version": "18.0.1.0.0",
    "category": "Accounting/Credit Control",
    "website": "https://github.com/customer-risk/customer-risk",
    "author": "Customer Risk Team",
    "license": "LGPL-3",
    "depends": ["customer_risk_collections"],
    "data": [
        "security/customer_risk_audit_groups.xml",
        "security/ir.model.access.csv",
        "security/customer_risk_audit_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron.xml",
        "views/customer_risk_limit_request_views.xml",
        "views/customer_risk_audit_log_views.xml",
        "views/res_partner_views.xml",
        "views/customer_risk_audit_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/customer_risk_limit_request_demo.xml",
    ],
}
