from . import test_groups
from . import test_decision_tools
from . import test_credit_check
from . import test_exposure_currency
from . import test_release
from . import test_risk_access
