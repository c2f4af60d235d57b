from django.urls import path

app_name = "deals"
urlpatterns: list = []
