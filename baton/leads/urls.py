from django.urls import path

from baton.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("new/", views.LeadFormView.as_view(), name="create"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.LeadFormView.as_view(), name="edit"),
    path("<int:pk>/status/", views.lead_status, name="status"),
    path("<int:pk>/interactions/", views.lead_interaction, name="interaction"),
    path("<int:pk>/convert/", views.lead_convert, name="convert"),
]
