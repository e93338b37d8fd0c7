from . import test_groups
from . import test_assessment
from . import test_scoring_tools
