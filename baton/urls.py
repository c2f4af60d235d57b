from django.urls import include, path

from baton.api import api

urlpatterns = [
    path("", include("baton.core.urls")),
    path("leads/", include("baton.leads.urls")),
    path("accounts/", include("baton.accounts.urls")),
    path("deals/", include("baton.deals.urls")),
    path("process/", include("baton.process.urls")),
    path("api/v1/", api.urls),
]
