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
    "data": [
        "views/customer_risk_collections_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
}
