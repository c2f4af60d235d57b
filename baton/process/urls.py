app_name = "process"
urlpatterns: list = []
