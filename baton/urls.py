from django.urls import include, path

from baton.accounts.urls import contact_urlpatterns
from baton.api import api
from baton.insights import home as insights_home
from baton.security import views as security_views

urlpatterns = [
    # Un-namespaced because settings.LOGIN_URL / LOGIN_REDIRECT_URL / LOGOUT_REDIRECT_URL name them so.
    path("", insights_home.home, name="home"),
    path("login/", security_views.login_view, name="login"),
    path("logout/", security_views.logout_view, name="logout"),
    path("security/", include("baton.security.urls")),
    path("", include("baton.core.urls")),
    path("leads/", include("baton.leads.urls")),
    path("accounts/", include("baton.accounts.urls")),
    path("contacts/", include((contact_urlpatterns, "contacts"))),
    path("deals/", include("baton.deals.urls")),
    path("process/", include("baton.process.urls")),
    path("activities/", include("baton.activities.urls")),
    path("delivery/", include("baton.delivery.urls")),
    path("scoring/", include("baton.scoring.urls")),
    path("insights/", include("baton.insights.urls")),
    path("search/", include("baton.search.urls")),
    path("privacy/", include("baton.privacy.urls")),
    path("sharing/", include("baton.sharing.urls")),
    path("transfer/", include("baton.transfer.urls")),
    path("success/", include("baton.success.urls")),
    path("integrations/", include("baton.integrations.urls")),
    path("automation/", include("baton.automation.urls")),
    path("partners/", include("baton.partners.urls")),
    path("portal/", include("baton.partners.urls_portal")),
    path("api/v1/", api.urls),
]

handler400 = "baton.core.errors.bad_request"
handler403 = "baton.core.errors.permission_denied"
handler404 = "baton.core.errors.page_not_found"
handler500 = "baton.core.errors.server_error"
