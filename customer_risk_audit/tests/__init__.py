from . import test_audit_log
from . import test_compliance
from . import test_controls
from . import test_decisions_logged
from . import test_groups
from . import test_internal_audit
from . import test_limit_request
from . import test_training_policy
