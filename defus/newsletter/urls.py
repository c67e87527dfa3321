from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("<int:issue>/", views.archive_issue, name="archive_issue"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # forum staff
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.compose, name="create"),
    path("manage/bounces/", views.bounces, name="bounces"),
    path("manage/<int:issue>/", views.compose, name="compose"),
    path("manage/<int:issue>/send/", views.send, name="send"),
    path("manage/<int:issue>/preview/<str:language>/", views.preview, name="preview"),
]
