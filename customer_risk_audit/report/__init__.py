from . import audit_workbook
from . import customer_risk_training_report_coverage
from . import customer_risk_policy_report_acknowledgement
from . import customer_risk_audit_report_access
