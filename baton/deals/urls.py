from django.urls import path

from baton.deals import views

app_name = "deals"
urlpatterns = [
    path("", views.OpportunityListView.as_view(), name="list"),
    path("new/", views.OpportunityFormView.as_view(), name="create"),
    path("board/", views.board_view, name="board"),
    path("<int:pk>/", views.OpportunityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OpportunityFormView.as_view(), name="edit"),
    path("<int:pk>/move/", views.opportunity_move, name="move"),
]
