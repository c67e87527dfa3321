"""The exchange between members under /groups/: groups, discussions, documents, questions to
peers and the moderation. Fixed paths come before <slug:group> (models.RESERVED_SLUGS)."""

from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_new, name="group_new"),
    path("join/", views.join, name="join"),
    path("questions/", views.question_list, name="questions"),
    path("questions/new/", views.question_new, name="question_new"),
    path("questions/<int:thread>/", views.question_detail, name="question"),
    path("posts/<int:post>/report/", views.report, name="report"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/posts/<int:post>/", views.moderate_post, name="moderate_post"),
    path("moderation/threads/<int:thread>/", views.moderate_thread, name="moderate_thread"),
    path("moderation/reports/<int:report>/", views.dismiss_report, name="dismiss_report"),
    path("<slug:group>/", views.group_detail, name="group"),
    path("<slug:group>/leave/", views.leave, name="leave"),
    path("<slug:group>/invite/", views.invite, name="invite"),
    path("<slug:group>/requests/<int:invitation>/", views.decide_request, name="decide_request"),
    path("<slug:group>/members/<int:member>/", views.member_role, name="member_role"),
    path("<slug:group>/threads/new/", views.thread_new, name="thread_new"),
    path("<slug:group>/threads/<int:thread>/", views.thread_detail, name="thread"),
    path("<slug:group>/documents/new/", views.document_new, name="document_new"),
    path(
        "<slug:group>/documents/<int:shared_document>/",
        views.document_detail,
        name="document",
    ),
    path(
        "<slug:group>/documents/<int:shared_document>/versions/<int:document_version>/",
        views.version_download,
        name="version",
    ),
]
