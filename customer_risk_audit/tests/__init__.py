from . import test_audit_log
from . import test_decisions_logged
from . import test_groups
from . import test_limit_request
