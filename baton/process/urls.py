from django.urls import path

from baton.process import views

app_name = "process"
urlpatterns = [
    path("", views.floor, name="floor"),
    path("metrics.csv", views.floor_csv, name="metrics_csv"),
    path("stages/<slug:key>/<slug:metric>/", views.drill, name="drill"),
    path("records/<slug:kind>/<int:pk>/", views.record_panel, name="record"),
    path("records/<slug:kind>/<int:pk>/move/", views.record_move, name="move"),
    path("records/<slug:kind>/<int:pk>/qualify/", views.record_qualify, name="qualify"),
    path("records/<slug:kind>/<int:pk>/recycle/", views.record_recycle, name="recycle"),
    path("queues/", views.queues, name="queues"),
    path("queues/follow-ups/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("queues/hand-offs/<int:pk>/", views.handoff_decide, name="handoff_decide"),
    path("design/", views.design_page, name="design"),
    path("design/stages/<int:pk>/", views.design_stage, name="design_stage"),
    path("design/departments/<int:dept>/stages/", views.design_stage_create, name="design_stage_create"),
    path("design/stages/<int:stage_pk>/criteria/", views.design_criterion, name="design_criterion"),
]
