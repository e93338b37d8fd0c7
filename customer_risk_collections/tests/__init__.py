from . import test_followup_access
from . import test_followup_run
from . import test_followup_xlsx
from . import test_promise
