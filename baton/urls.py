from django.contrib.auth import views as auth_views
from django.urls import include, path

from baton.accounts.urls import contact_urlpatterns
from baton.api import api
from baton.core import views as core_views

urlpatterns = [
    # Un-namespaced because settings.LOGIN_URL / LOGIN_REDIRECT_URL / LOGOUT_REDIRECT_URL name them so.
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("baton.core.urls")),
    path("leads/", include("baton.leads.urls")),
    path("accounts/", include("baton.accounts.urls")),
    path("contacts/", include((contact_urlpatterns, "contacts"))),
    path("deals/", include("baton.deals.urls")),
    path("process/", include("baton.process.urls")),
    path("activities/", include("baton.activities.urls")),
    path("delivery/", include("baton.delivery.urls")),
    path("scoring/", include("baton.scoring.urls")),
    path("search/", include("baton.search.urls")),
    path("api/v1/", api.urls),
]
