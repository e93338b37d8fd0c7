"""Pure credit-risk arithmetic: no ``odoo`` import, no hidden "today".

Models fetch figures in batches, call these functions and store or show the result; the
other addons of the suite import them from ``odoo.addons.customer_risk.tools``.
"""

from .alerts import EVENT_RULES, STATE_RULES, AlertFigures, alert_conditions, unusual_order
from . import aging, audit_chain, followup, kpi
from .exposure import EXPOSURE_PARTS, ExposureParts, available_credit, days_overdue
from .limits import MAX_AMOUNT, MAX_AMOUNT_TEXT, limit_with_tolerance, tier_limit, valid_amount
from .scoring import (
    SCREENING_VALUES,
    band_index,
    band_points,
    months_between,
    payment_delay,
    ratio_percent,
    score_contributions,
    tier_for_score,
    weighted_score,
)
from .decision import BLOCK, OFF, TIER_RULES, WARN, Decision, Reason, Snapshot, decide
from .screening import (
    fold,
    identifier_key,
    identifier_keys,
    name_key,
    name_keys,
    partner_screening_state,
    split_values,
    watchlist_matches,
)
from .financial import (
    agency_points,
    current_ratio,
    debt_to_equity,
    financial_strength_points,
    net_margin,
    rating_key,
)
from .sampling import draw_sample
