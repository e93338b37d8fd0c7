from odoo.addons.customer_risk.hooks import forget_posted_demo_invoices


def uninstall_hook(env):
    forget_posted_demo_invoices(env, "customer_risk_collections")
