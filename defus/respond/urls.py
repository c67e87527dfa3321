from django.urls import path

from . import views

app_name = "respond"
urlpatterns = [
    path("", views.start, name="start"),
    path("o/<str:token>/", views.open_link, name="open"),
    path("continue/", views.resume, name="resume"),
    path("welcome/", views.welcome, name="welcome"),
    path("page/<int:number>/", views.page, name="page"),
    path("review/", views.review, name="review"),
    path("saved/", views.saved, name="saved"),
    path("done/", views.done, name="done"),
]
