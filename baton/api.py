"""The REST API root: mounts each app's router under /api/v1/."""

from ninja import NinjaAPI

from baton.accounts.api import router as accounts_router
from baton.core.api import router as core_router
from baton.deals.api import router as deals_router
from baton.leads.api import router as leads_router
from baton.process.api import router as process_router

api = NinjaAPI(title="Baton API", version="1", urls_namespace="api")
api.add_router("/", core_router)
api.add_router("/", leads_router)
api.add_router("/", accounts_router)
api.add_router("/", deals_router)
api.add_router("/process/", process_router)
