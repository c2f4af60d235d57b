from django.urls import path

app_name = "process"
urlpatterns: list = []
