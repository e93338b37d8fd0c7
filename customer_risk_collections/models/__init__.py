from . import account_move
from . import customer_risk_followup_level
from . import customer_risk_followup_execution
from . import customer_risk_promise
from . import res_partner
