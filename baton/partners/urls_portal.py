from django.urls import path

from baton.partners import views_portal

app_name = "portal"
urlpatterns = [
    path("", views_portal.home, name="home"),
    path("register/", views_portal.register, name="register"),
    path("registrations/<int:pk>/", views_portal.registration, name="registration"),
    path("deals/<int:pk>/", views_portal.deal, name="deal"),
]
