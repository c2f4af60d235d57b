from django.urls import path

from baton.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.progress, name="progress"),
    path("jobs/<int:pk>/mapping/", views.mapping, name="mapping"),
    path("jobs/<int:pk>/dry-run/", views.dry_run, name="dry_run"),
    path("jobs/<int:pk>/run/", views.run, name="run"),
    path("jobs/<int:pk>/pause/", views.pause, name="pause"),
    path("jobs/<int:pk>/resume/", views.resume, name="resume"),
    path("jobs/<int:pk>/rollback/", views.rollback, name="rollback"),
    path("jobs/<int:pk>/errors.csv", views.errors, name="errors"),
]
