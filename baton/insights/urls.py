from django.urls import path

from baton.insights import views, views_dashboards, views_reports, views_subscriptions

app_name = "insights"

urlpatterns = [
    path("forecast/", views.forecast_page, name="forecast"),
    path("forecast/deals/", views.forecast_deals, name="forecast_deals"),
    path("forecast/csv/", views.forecast_csv, name="forecast_csv"),
    path("forecast/adjust/", views.adjust, name="adjust"),
    path("forecast/snapshot/", views.snapshot_now, name="snapshot"),
    path("quotas/", views.quotas_page, name="quotas"),
    path("exchange-rates/", views.rates_page, name="rates"),
    path("reports/", views_reports.report_list, name="reports"),
    path("seven-questions/", views_reports.seven_questions, name="seven_questions"),
    path("reports/new/", views_reports.builder, name="report_builder"),
    path("reports/save/", views_reports.save, name="report_save"),
    path("reports/<int:pk>/", views_reports.saved, name="report"),
    path("reports/<int:pk>/delete/", views_reports.delete, name="report_delete"),
    path("reports/<int:pk>/subscribe/", views_subscriptions.subscribe, name="report_subscribe"),
    path("marketing/", views_dashboards.marketing_page, name="marketing"),
    path("marketing/campaigns/<int:pk>/cost/", views_dashboards.campaign_cost, name="campaign_cost"),
    path("inside-sales/", views_dashboards.inside_sales_page, name="inside_sales"),
    path("dashboards/records/", views_dashboards.drill, name="dashboard_records"),
]
