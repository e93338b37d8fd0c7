from . import test_groups
from . import test_decision_tools
from . import test_credit_check
from . import test_exposure_currency
