from django.urls import path

from baton.delivery import views

app_name = "delivery"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("deal/<int:opportunity_pk>/", views.handoff, name="handoff"),
    path("packages/<int:pk>/", views.package_detail, name="package"),
    path("packages/<int:pk>/edit/", views.package_edit, name="package_edit"),
    path("packages/<int:pk>/items/<int:item_id>/", views.answer, name="answer"),
    path("packages/<int:pk>/submit/", views.submit, name="submit"),
    path("packages/<int:pk>/review/", views.review, name="review"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("checklists/", views.checklists, name="checklists"),
]
