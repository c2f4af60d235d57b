from django.urls import path

from baton.integrations import views

app_name = "integrations"
urlpatterns = [
    path("webhooks/", views.webhooks_page, name="webhooks"),
    path("webhooks/<int:pk>/", views.endpoint, name="endpoint"),
    path("webhooks/<int:pk>/rotate/", views.rotate, name="rotate"),
    path("deliveries/<int:pk>/", views.delivery, name="delivery"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
