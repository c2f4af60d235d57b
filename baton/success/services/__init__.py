"""Every write of contracts: creation from a won deal's primary quote, amendments (upsell, downsell,
price change, early termination) as dated rows, renewals opened once per term, their outcome, and the
D-90/-30/-7 reminders.

Each function runs in one transaction with its audit rows; refusals raise ValidationError (input),
PermissionDenied (not yours) or ServiceError (not in this state) and leave nothing behind.

One module per topic, each importing only the ones listed before it:

- ``common``: the helpers every write shares (money input, the one-year term, the edit check, the lock);
- ``movements``: the dated revenue rows (``ContractChange``) and the contract's ARR, their sum;
- ``contracts``: creating a contract (by hand or from a won deal's quote) and its non-revenue terms;
- ``reminders``: the D-90/-30/-7 reminders before a term ends;
- ``renewals``: the renewal pipeline, opening renewals, the periodic sweep and the outcome;
- ``amendments``: upsell, downsell, price change and early termination.

Callers outside this package import from it; its names are re-exported below.
"""

from baton.core.services import ServiceError
from baton.success.services.amendments import amend, terminate
from baton.success.services.common import ZERO, contract_url, one_year_term
from baton.success.services.contracts import (
    MONTHLY_UNITS,
    YEARLY_UNITS,
    LineSpec,
    create_contract,
    create_contract_from_opportunity,
    is_recurring_unit,
    primary_quote,
    quote_line_specs,
    update_contract,
)
from baton.success.services.reminders import REMINDER_DAYS, send_reminders
from baton.success.services.renewals import (
    RENEWAL_STAGES,
    open_renewal,
    record_renewal_outcome,
    renewal_lead_days,
    renewal_pipeline,
    renewals_due,
    sweep_renewals,
)

__all__ = [
    "MONTHLY_UNITS",
    "REMINDER_DAYS",
    "RENEWAL_STAGES",
    "YEARLY_UNITS",
    "ZERO",
    "LineSpec",
    "ServiceError",
    "amend",
    "contract_url",
    "create_contract",
    "create_contract_from_opportunity",
    "is_recurring_unit",
    "one_year_term",
    "open_renewal",
    "primary_quote",
    "quote_line_specs",
    "record_renewal_outcome",
    "renewal_lead_days",
    "renewal_pipeline",
    "renewals_due",
    "send_reminders",
    "sweep_renewals",
    "terminate",
    "update_contract",
]
