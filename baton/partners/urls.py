from django.urls import path

from baton.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/<int:pk>/approve/", views.approve, name="approve"),
    path("registrations/<int:pk>/reject/", views.reject, name="reject"),
    path("deal/<int:opportunity_pk>/panel/", views.deal_panel, name="deal_panel"),
    path("deal/<int:opportunity_pk>/link/", views.link, name="link"),
]
