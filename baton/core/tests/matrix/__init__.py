"""The permission matrix: every page route and every API operation, declared once with what it shows,
checked against every role of the demo (``test_pages.py`` and ``test_api_permissions.py`` run it).

A route or operation missing from these tables fails ``test_*_matrix_covers_every_*``, so a new page or
endpoint is covered the day it appears. Each entry says which record the URL names (the roles blind to
it must get 404), that the page is role-gated (403 for everyone else), or that it is open to every
signed-in user — in which case its body must not show the names of records the reader may not see.
"""

from .base import *  # noqa: F403 - the cast, Expect and the helpers
from .bodies import BODIES
from .operations import OPERATIONS
from .routes import ROUTES

__all__ = ["BODIES", "OPERATIONS", "ROUTES"]
