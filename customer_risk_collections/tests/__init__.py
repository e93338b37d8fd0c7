from . import test_access
from . import test_aging
from . import test_aging_report
from . import test_bucket_set
from . import test_kpi
from . import test_provision
from . import test_xlsx_writer
