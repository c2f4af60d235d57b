from django.urls import path

from baton.integrations import views, views_exports, views_forms

app_name = "integrations"
urlpatterns = [
    path("webhooks/", views.webhooks_page, name="webhooks"),
    path("webhooks/<int:pk>/", views.endpoint, name="endpoint"),
    path("webhooks/<int:pk>/rotate/", views.rotate, name="rotate"),
    path("deliveries/<int:pk>/", views.delivery, name="delivery"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
urlpatterns += [
    path("web-forms/", views_forms.webforms_page, name="webforms"),
    path("web-forms/<int:pk>/", views_forms.webform_edit, name="webform"),
    path("f/<str:token>/", views_forms.webform_public, name="webform_public"),
    path("accounts/<int:pk>/export.xlsx", views_forms.account_export, name="account_export"),
    path("exports/activities/", views_exports.activities_export, name="activities_export"),
]
