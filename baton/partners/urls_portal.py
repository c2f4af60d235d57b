from django.urls import path

from baton.partners import views_passing, views_portal, views_resources

app_name = "portal"
urlpatterns = [
    path("", views_portal.home, name="home"),
    path("register/", views_portal.register, name="register"),
    path("registrations/<int:pk>/", views_portal.registration, name="registration"),
    path("deals/<int:pk>/", views_portal.deal, name="deal"),
    path("leads/", views_passing.portal_leads, name="leads"),
    path("leads/<int:pk>/", views_passing.portal_lead, name="lead"),
    path("leads/<int:pk>/accept/", views_passing.portal_accept, name="lead_accept"),
    path("leads/<int:pk>/decline/", views_passing.portal_decline, name="lead_decline"),
    path("pool/<int:pk>/claim/", views_passing.portal_claim, name="pool_claim"),
    path("resources/", views_resources.portal_resources, name="resources"),
    path("resources/<int:pk>/prices/", views_resources.portal_price_list, name="price_list"),
    path("resources/<int:pk>/download/", views_resources.portal_download, name="download"),
]
