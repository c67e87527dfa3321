from django.urls import URLPattern

app_name = "instrument"
urlpatterns: list[URLPattern] = []
