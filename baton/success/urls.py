from django.urls import path

from baton.success import views

app_name = "success"
urlpatterns = [
    path("", views.contract_list, name="contracts"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/amend/", views.amend, name="amend"),
    path("contracts/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("renewals/<int:pk>/outcome/", views.renewal_outcome, name="renewal_outcome"),
    path("deal/<int:opportunity_pk>/", views.create_from_deal, name="create"),
    path("deal/<int:opportunity_pk>/panel/", views.deal_panel, name="deal_panel"),
    path("revenue/", views.revenue_page, name="revenue"),
    path("renewals/", views.renewals, name="renewals"),
    path("home/", views.csm_home, name="csm_home"),
    path("accounts/<int:account_pk>/installed-base/", views.installed_base_panel, name="installed_base"),
]
