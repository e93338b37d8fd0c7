from . import customer_risk_file_import
from . import customer_risk_watchlist_import
from . import customer_risk_credit_report_import
from . import customer_risk_credit_report_import_line
