from . import account_move
from . import account_partial_reconcile
from . import customer_risk_tier
from . import res_company
from . import res_config_settings
from . import res_partner
