"""The time process rows are written at when a caller does not say: now.

Every process writer takes an explicit ``at=`` (the demo and the history import pass the past time
they replay); there is no clock to set from outside.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The default ``at`` of the process writers."""
    return timezone.now()
