from django.urls import path

from baton.insights import views

app_name = "insights"

urlpatterns = [
    path("forecast/", views.forecast_page, name="forecast"),
    path("forecast/deals/", views.forecast_deals, name="forecast_deals"),
    path("forecast/csv/", views.forecast_csv, name="forecast_csv"),
    path("forecast/adjust/", views.adjust, name="adjust"),
    path("forecast/snapshot/", views.snapshot_now, name="snapshot"),
    path("quotas/", views.quotas_page, name="quotas"),
    path("exchange-rates/", views.rates_page, name="rates"),
]
