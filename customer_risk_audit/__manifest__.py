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
        "views/customer_risk_audit_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
}
