from django.urls import path

from baton.automation import views

app_name = "automation"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_edit, name="create"),
    path("<int:pk>/", views.rule_edit, name="edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="toggle"),
    path("<int:pk>/dry-run/", views.rule_dry_run, name="dry_run"),
    path("dry-run/", views.draft_dry_run, name="draft_dry_run"),
    path("log/", views.run_log, name="log"),
    path("runs/<int:pk>/retry/", views.run_retry, name="retry"),
    path("records/<str:kind>/<int:pk>/", views.record_runs, name="record_runs"),
    path("records/<str:kind>/<int:pk>/panel/", views.record_panel, name="record_panel"),
]
