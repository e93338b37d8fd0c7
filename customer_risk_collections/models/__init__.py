from . import customer_risk_aging
from . import customer_risk_aging_bucket
from . import customer_risk_aging_bucket_set
from . import customer_risk_kpi_snapshot
