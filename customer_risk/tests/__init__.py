from . import test_assessment
from . import test_exposure
from . import test_groups
from . import test_scoring_tools
from . import test_tools_aging_kpi
from . import test_tools_limits
