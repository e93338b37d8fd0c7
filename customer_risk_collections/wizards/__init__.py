from . import customer_risk_followup_export
from . import res_partner_followup_call
from . import res_partner_followup_exclude
from . import res_partner_followup_postpone
