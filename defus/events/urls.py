from django.urls import path

from . import organise, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("month/", views.month_view, name="month"),
    path("calendar.ics", views.calendar_feed, name="calendar_ics"),
    path("registration/<str:registration_token>/", views.registration_page, name="registration"),
    path("new/", organise.create_event, name="create"),  # before <slug:event>/
    path("<slug:event>/", views.event_detail, name="detail"),
    path("<slug:event>/event.ics", views.event_ics, name="event_ics"),
    path("<slug:event>/register/", views.register, name="register"),
    path("<slug:event>/register-group/", views.register_group, name="register_group"),
    path("<slug:event>/documents/<int:event_document>/", views.document, name="document"),
    # organisers (forum staff)
    path("<slug:event>/manage/", views.participants, name="participants"),
    path("<slug:event>/manage/<int:registration>/check-in/", views.check_in, name="check_in"),
    path("<slug:event>/manage/participants.csv", views.export_csv, name="export_csv"),
    path("<slug:event>/manage/participants.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<slug:event>/manage/message/", views.send_message, name="message"),
    path("<slug:event>/manage/certificates.pdf", views.certificates, name="certificates"),
    path("<slug:event>/manage/purge/", views.purge, name="purge"),
    path("<slug:event>/manage/edit/", organise.edit_event, name="edit"),
    path("<slug:event>/manage/programme/", organise.programme, name="programme"),
    path("<slug:event>/manage/documents/", organise.documents, name="documents_manage"),
    path(
        "<slug:event>/manage/documents/<int:event_document>/delete/",
        organise.delete_document,
        name="delete_document",
    ),
]
