from django.urls import path

from baton.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("subject/", views.subject, name="subject"),
    path("subject/export/", views.subject_export, name="subject_export"),
    path("subject/erase/", views.subject_erase, name="subject_erase"),
    path("consent/<str:kind>/<int:pk>/", views.consent_panel, name="consent_panel"),
    path("consent/<str:kind>/<int:pk>/add/", views.consent_add, name="consent_add"),
    path("retention/", views.retention_rules, name="retention"),
    path("retention/<int:pk>/preview/", views.retention_preview, name="retention_preview"),
    path("retention/<int:pk>/apply/", views.retention_apply, name="retention_apply"),
    path("retention/<int:pk>/delete/", views.retention_delete, name="retention_delete"),
    path("logs/", views.logs, name="logs"),
]
