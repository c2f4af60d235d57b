from django.urls import path

from baton.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("leads/<int:pk>/", views.lead, name="lead"),
    path("leads/<int:pk>/panel/", views.lead_panel, name="lead_panel"),
    path("leads/<int:pk>/qualify/", views.lead_qualify, name="lead_qualify"),
    path("leads/<int:pk>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:pk>/explanation/", views.lead_explanation, name="lead_explanation"),
    path("leads/<int:pk>/route/", views.lead_route, name="lead_route"),
    path("deals/<int:pk>/", views.opportunity, name="opportunity"),
    path("deals/<int:pk>/panel/", views.opportunity_panel, name="opportunity_panel"),
    path("deals/<int:pk>/meddpicc/", views.opportunity_meddpicc, name="opportunity_meddpicc"),
    path("deals/<int:pk>/competitors/", views.opportunity_competitor, name="opportunity_competitor"),
    path("competitors/<int:pk>/remove/", views.competitor_remove, name="competitor_remove"),
    path("rules/", views.rules, name="rules"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/train/", views.train, name="train"),
    path("win-loss/", views.win_loss_page, name="win_loss"),
    path("routing/", views.routing_admin, name="routing"),
    path("supply/", views.supply, name="supply"),
    path("supply/run/", views.supply_run, name="supply_run"),
]
