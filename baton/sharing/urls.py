from django.urls import path

from baton.sharing import views

app_name = "sharing"
urlpatterns = [
    path("defaults/", views.defaults, name="defaults"),
    path("<str:kind>/<int:pk>/", views.share_panel, name="panel"),
    path("<str:kind>/<int:pk>/add/", views.share_add, name="add"),
    path("<str:kind>/<int:pk>/<int:share_id>/revoke/", views.share_revoke, name="revoke"),
]
