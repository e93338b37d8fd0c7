from . import customer_risk_aging_report
from . import customer_risk_aging_report_line
from . import customer_risk_kpi_recompute
from . import customer_risk_provision_report
from . import customer_risk_provision_report_line
