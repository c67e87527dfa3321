from django.urls import URLPattern

app_name = "newsletter"

urlpatterns: list[URLPattern] = []
