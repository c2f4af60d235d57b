"""The REST API root: mounts each app's router under /api/v1/.

Every operation requires a bearer token (``Authorization: Bearer <token>``) unless it says otherwise;
the error contract lives in baton/core/api_errors.py. OpenAPI: /api/v1/openapi.json, docs: /api/v1/docs.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from baton.accounts.api import router as accounts_router
from baton.activities.api import router as activities_router
from baton.automation.api import router as automation_router
from baton.core.api import router as core_router
from baton.core.api_errors import StrictJSONParser, install_error_handlers
from baton.core.customfields.api import router as custom_fields_router
from baton.core.layouts.api import router as layouts_router
from baton.deals.api import router as deals_router
from baton.deals.api_catalog import router as catalog_router
from baton.delivery.api import router as delivery_router
from baton.insights.api import router as insights_router
from baton.integrations.api import router as integrations_router
from baton.leads.api import router as leads_router
from baton.partners.api import router as partners_router
from baton.privacy.api import router as privacy_router
from baton.process.api import router as process_router
from baton.scoring.api import router as scoring_router
from baton.search.api import router as search_router
from baton.security.api import router as security_router
from baton.security.api_auth import ApiTokenAuth
from baton.sharing.api import router as sharing_router
from baton.success.api import router as success_router
from baton.transfer.api import router as transfer_router


class UnicodeJSONRenderer(JSONRenderer):
    """Korean text as text, not \\uXXXX escapes: smaller and readable in logs and curl."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Baton API",
    version="1",
    description=(
        "The REST API of Baton. Authenticate with `Authorization: Bearer <token>` (make a token on your "
        "profile page or with `baton create_api_token USERNAME`). Errors: 401 without a valid token, "
        "404 for records you may not see, 409 on a stale `version` or a refused action, 422 with "
        "`errors: {field: [messages]}` for invalid input."
    ),
    urls_namespace="api",
    auth=ApiTokenAuth(),
    parser=StrictJSONParser(),
    renderer=UnicodeJSONRenderer(),
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", custom_fields_router)
api.add_router("/", layouts_router)
api.add_router("/", leads_router)
api.add_router("/", accounts_router)
api.add_router("/", deals_router)
api.add_router("/", catalog_router)
api.add_router("/process/", process_router)
api.add_router("/delivery/", delivery_router)
api.add_router("/", activities_router)
api.add_router("/scoring/", scoring_router)
api.add_router("/insights/", insights_router)
api.add_router("/security/", security_router)
api.add_router("/", search_router)
api.add_router("/privacy/", privacy_router)
api.add_router("/sharing/", sharing_router)
api.add_router("/transfer/", transfer_router)
api.add_router("/success/", success_router)
api.add_router("/integrations/", integrations_router)
api.add_router("/automation/", automation_router)
api.add_router("/partners/", partners_router)
