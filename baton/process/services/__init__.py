"""Every write of The Model: moves, automatic transitions, hand-offs, recycling, follow-ups, qualification.

One module per topic, each importing only the ones listed before it:

- ``clock``: the default ``at`` of every writer (now);
- ``design_cache``: the design (departments, stages, criteria), loaded once per operation;
- ``stays``: opening and closing stays, and the small reads every write shares;
- ``evaluation``: which moves a record's facts allow (no writes);
- ``handoffs``: offering a record to another department;
- ``transitions``: manual and automatic moves; an opportunity's stays follow
  ``deals.services.move_opportunity`` through the ``opportunity_stage_changed`` event;
- ``recycling``, ``handoff_decisions``, ``qualification``: recycling and follow-ups, accepting or
  rejecting a hand-off, the qualification checklist;
- ``hooks``: what the process does after a lead's write; ``sweep``: the periodic re-evaluation.

Every write is audited with ``log_change`` and takes an explicit ``at=`` (now by default). Callers
outside the process app import from this package; its names are re-exported below.
"""

from baton.process.services.clock import now
from baton.process.services.design_cache import Design, invalidate_design_cache, load_design, stage_criteria
from baton.process.services.evaluation import (
    Advance,
    MoveCheck,
    automation_paused,
    check_move,
    next_stage_checks,
    paused_records,
    plan_advance,
)
from baton.process.services.handoff_decisions import accept_handoff, give_to, reject_handoff
from baton.process.services.handoffs import request_handoff
from baton.process.services.hooks import (
    on_lead_change_event,
    on_lead_changed,
    on_lead_conversion_event,
    on_lead_converted,
)
from baton.process.services.qualification import set_qualification
from baton.process.services.recycling import (
    DEFAULT_FOLLOW_UP_DAYS,
    REJECTED_FOLLOW_UP_DAYS,
    complete_follow_up,
    recycle_record,
)
from baton.process.services.stays import (
    can_act_for,
    check_can_move,
    current_stay,
    get_record,
    pending_handoff,
    segment_of,
)
from baton.process.services.sweep import sweep
from baton.process.services.transitions import (
    ProcessMove,
    apply_advance,
    auto_advance,
    move_record,
    on_opportunity_stage_changed,
    place_record,
    transition,
)

__all__ = [
    "DEFAULT_FOLLOW_UP_DAYS",
    "REJECTED_FOLLOW_UP_DAYS",
    "Advance",
    "Design",
    "MoveCheck",
    "ProcessMove",
    "accept_handoff",
    "apply_advance",
    "auto_advance",
    "automation_paused",
    "can_act_for",
    "check_can_move",
    "check_move",
    "complete_follow_up",
    "current_stay",
    "get_record",
    "give_to",
    "invalidate_design_cache",
    "load_design",
    "move_record",
    "next_stage_checks",
    "now",
    "on_lead_change_event",
    "on_lead_changed",
    "on_lead_conversion_event",
    "on_lead_converted",
    "on_opportunity_stage_changed",
    "paused_records",
    "pending_handoff",
    "place_record",
    "plan_advance",
    "recycle_record",
    "reject_handoff",
    "request_handoff",
    "segment_of",
    "set_qualification",
    "stage_criteria",
    "sweep",
    "transition",
]
