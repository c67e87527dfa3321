"""Groups, discussions, questions to peers, documents, moderation: the services and the pages
through Django's test client."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from defus.exchange import services
from defus.exchange.models import (
    GroupInvitation,
    GroupMember,
    ModerationEntry,
    Notification,
    Post,
    Report,
    Thread,
)
from tests.conftest import make_person

from .support import PDF, make_group, pdf

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- who gets in -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client: Any) -> None:
    for url in ("/groups/", "/groups/questions/", "/notifications/", "/notifications/settings/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_people_outside_the_network_get_403(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    for url in ("/groups/", "/groups/questions/new/", "/notifications/", "/groups/moderation/"):
        assert client.get(url).status_code == 403, url


def test_only_forum_staff_create_groups(client: Any, member_a: Any, forum_staff: Any) -> None:
    client.force_login(member_a)
    assert client.get("/groups/new/").status_code == 403
    client.force_login(forum_staff)
    response = client.post(
        "/groups/new/",
        {"slug": "questions", "name_de": "Fragen", "kind": "topic_space", "access": "open"},
    )
    assert response.status_code == 200
    assert "Dieses Kürzel ist reserviert" in text(response)
    response = client.post(
        "/groups/new/",
        {
            "slug": "praevention",
            "name_de": "Prävention",
            "name_fr": "Prévention",
            "kind": "working_group",
            "access": "invitation",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/groups/praevention/"
    group = services.WorkingGroup.objects.get(slug="praevention")
    assert group.name == {"de": "Prävention", "fr": "Prévention"}
    assert GroupMember.objects.get(group=group, user=forum_staff).role == "moderator"


# --- groups ------------------------------------------------------------------------------------


def test_member_joins_an_open_group(client: Any, member_a: Any, forum_staff: Any) -> None:
    group = make_group("raeume", forum_staff)
    client.force_login(member_a)
    listing = text(client.get("/groups/"))
    assert "Gruppe raeume beitreten" in listing
    response = client.post("/groups/join/", {"group": "raeume"})
    assert response["Location"] == "/groups/raeume/"
    assert GroupMember.objects.filter(group=group, user=member_a, role="member").exists()
    page = text(client.get("/groups/raeume/"))
    assert "Gruppe verlassen" in page
    assert "Diskussion beginnen" in page


def test_closed_group_request_and_invitation(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    group = make_group("ag", forum_staff, open_=False, members=(admin_b,))
    GroupMember.objects.filter(group=group, user=admin_b).update(role="moderator")
    client.force_login(member_a)
    assert client.get("/groups/ag/").status_code == 404
    assert "Beitritt zu Gruppe ag anfragen" in text(client.get("/groups/"))
    client.post("/groups/join/", {"group": "ag"})
    assert not GroupMember.objects.filter(group=group, user=member_a).exists()
    assert GroupInvitation.objects.get(group=group, user=member_a).kind == "requested"
    assert Notification.objects.filter(user=admin_b, kind="join_request").count() == 1
    # the moderator admits them from the group page
    client.force_login(admin_b)
    page = text(client.get("/groups/ag/"))
    assert "Beitrittsanfragen" in page
    request = GroupInvitation.objects.get(group=group, user=member_a)
    client.post(f"/groups/ag/requests/{request.pk}/", {"action": "accept"})
    assert GroupMember.objects.filter(group=group, user=member_a).exists()
    assert Notification.objects.filter(user=member_a, kind="joined").count() == 1


def test_moderator_invites_by_email(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    group = make_group("ag", forum_staff, open_=False)
    client.force_login(member_a)
    assert client.post("/groups/ag/invite/", {"email": admin_b.email}).status_code == 404
    client.force_login(forum_staff)
    response = client.post("/groups/ag/invite/", {"email": "nobody@example.org"}, follow=True)
    assert "Niemand im Netzwerk hat die E-Mail-Adresse „nobody@example.org“" in text(response)
    client.post("/groups/ag/invite/", {"email": admin_b.email.upper()})
    assert GroupInvitation.objects.get(group=group, user=admin_b).kind == "invited"
    assert Notification.objects.filter(user=admin_b, kind="invitation").count() == 1
    client.force_login(admin_b)
    assert "Einladung in Gruppe ag annehmen" in text(client.get("/groups/"))
    client.post("/groups/join/", {"group": "ag"})
    assert GroupMember.objects.filter(group=group, user=admin_b).exists()
    assert not GroupInvitation.objects.filter(group=group).exists()


def test_closed_group_content_is_not_found_by_others(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    group = make_group("ag", forum_staff, open_=False, members=(admin_b,))
    thread = services.post_thread(group, admin_b, "Geheime Gliederung", "Entwurf")
    document = services.add_document(group, admin_b, "Entwurf Bericht", pdf())
    version = document.versions.get()
    urls = [
        "/groups/ag/",
        f"/groups/ag/threads/{thread.pk}/",
        "/groups/ag/threads/new/",
        f"/groups/ag/documents/{document.pk}/",
        f"/groups/ag/documents/{document.pk}/versions/{version.pk}/",
        f"/groups/posts/{thread.posts.get().pk}/report/",
        f"/groups/questions/{thread.pk}/",
    ]
    client.force_login(member_a)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Geheime Gliederung" not in response.content
    assert "Geheime Gliederung" not in text(client.get("/groups/"))
    # its members and forum staff see it
    for person in (admin_b, forum_staff):
        client.force_login(person)
        assert "Geheime Gliederung" in text(client.get(f"/groups/ag/threads/{thread.pk}/"))
        download = client.get(f"/groups/ag/documents/{document.pk}/versions/{version.pk}/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF


# --- discussions -------------------------------------------------------------------------------


def test_thread_and_reply_through_the_pages(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    admin_b.first_name, admin_b.last_name = "Claudia", "Neumann"
    admin_b.save()
    make_group("raeume", forum_staff, members=(member_a, admin_b))
    client.force_login(member_a)
    response = client.post(
        "/groups/raeume/threads/new/",
        {"title": "Beleuchtung", "body": "Wer hat <b>LED</b>?\nSiehe https://example.org/led"},
    )
    thread = Thread.objects.get(title="Beleuchtung")
    assert response["Location"] == f"/groups/raeume/threads/{thread.pk}/"
    assert Notification.objects.filter(user=admin_b, kind="new_thread").count() == 1
    page = client.get(f"/groups/raeume/threads/{thread.pk}/").content.decode()
    assert "Wer hat &lt;b&gt;LED&lt;/b&gt;?<br>" in page  # escaped, line breaks kept
    assert '<a href="https://example.org/led" rel="nofollow">' in page
    # an empty reply: the form says so, nothing is lost, no post is made
    client.force_login(admin_b)
    response = client.post(f"/groups/raeume/threads/{thread.pk}/", {"body": "  "})
    assert response.status_code == 200
    assert "Dieses Feld muss ausgefüllt werden." in text(response)
    response = client.post(f"/groups/raeume/threads/{thread.pk}/", {"body": "Wir, seit 2024."})
    post = thread.posts.last()
    assert post is not None and post.body == "Wir, seit 2024."
    assert response["Location"] == f"/groups/raeume/threads/{thread.pk}/#post-{post.pk}"
    reply = Notification.objects.get(user=member_a, kind="reply")
    assert reply.url.endswith(f"#post-{post.pk}")
    with translation.override("de"):
        assert reply.text() == "Claudia Neumann (Beispielburg) hat in „Beleuchtung“ geantwortet."


def test_non_members_of_an_open_group_read_but_do_not_post(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    group = make_group("raeume", forum_staff, members=(admin_b,))
    thread = services.post_thread(group, admin_b, "Offene Frage", "Text")
    client.force_login(member_a)
    page = text(client.get(f"/groups/raeume/threads/{thread.pk}/"))
    assert "Offene Frage" in page and "Treten Sie der Gruppe bei" in page
    assert client.post(f"/groups/raeume/threads/{thread.pk}/", {"body": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.reply(thread, member_a, "x")


def test_mention_notifies_people_who_can_see_the_thread(
    member_a: Any, admin_b: Any, colleague_a: Any, forum_staff: Any
) -> None:
    group = make_group("ag", forum_staff, open_=False, members=(member_a, admin_b))
    thread = services.post_thread(group, member_a, "Bericht", "Start")
    Notification.objects.all().delete()
    services.reply(
        thread,
        member_a,
        f"Was meinst du, @{admin_b.email}? Und @{colleague_a.email}, und mail an info@example.org",
    )
    assert list(Notification.objects.values_list("user__email", "kind")) == [
        (admin_b.email, "mention")
    ]  # the colleague is not in the closed group: no notification, nothing revealed


def test_mention_from_the_form_field(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    admin_b.first_name, admin_b.last_name = "Claudia", "Neumann"
    admin_b.save()
    make_group("raeume", forum_staff, members=(member_a, admin_b))
    client.force_login(member_a)
    page = text(client.get("/groups/raeume/threads/new/"))
    assert f'<option value="{admin_b.email}">Claudia Neumann (Beispielburg)</option>' in page
    client.post(
        "/groups/raeume/threads/new/",
        {"title": "Frage", "body": "Bitte ansehen", "mention": admin_b.email},
    )
    assert Notification.objects.get(user=admin_b).kind == "mention"


# --- questions to peers ------------------------------------------------------------------------


def test_question_to_peers_notifies_other_cities_not_own_colleagues(
    client: Any, member_a: Any, colleague_a: Any, admin_b: Any, outsider: Any
) -> None:
    admin_b.first_name, admin_b.last_name = "Claudia", "Neumann"
    admin_b.save()
    client.force_login(member_a)
    response = client.post(
        "/groups/questions/new/",
        {"title": "Wer hat Erfahrung mit Videoschutz?", "body": "Am Bahnhof."},
    )
    question = Thread.objects.get(kind="question")
    assert question.group is None
    assert response["Location"] == f"/groups/questions/{question.pk}/"
    notified = set(Notification.objects.values_list("user__email", "kind"))
    assert notified == {(admin_b.email, "question")}
    assert "Neue Frage an alle" in Notification.objects.get().text()
    # every member of the network reads and answers; the answer is marked with the city
    client.force_login(admin_b)
    assert "Wer hat Erfahrung mit Videoschutz?" in text(client.get("/groups/questions/"))
    client.post(f"/groups/questions/{question.pk}/", {"body": "Wir: seit 2022."})
    answer = Notification.objects.get(user=member_a)
    assert answer.kind == "answer"
    assert "Claudia Neumann (Beispielburg)" in answer.text()
    page = text(client.get(f"/groups/questions/{question.pk}/"))
    assert "Antwort aus einer anderen Stadt: Beispielburg" in page
    # a colleague's answer notifies the asker and the earlier participant
    services.reply(question, colleague_a, "Wir auch.")
    assert Notification.objects.filter(user=member_a, kind="answer").count() == 2
    assert Notification.objects.filter(user=admin_b, kind="answer").count() == 1
    assert colleague_a not in [n.user for n in Notification.objects.filter(kind="answer")]


def test_question_form_errors(client: Any, member_a: Any) -> None:
    client.force_login(member_a)
    response = client.post("/groups/questions/new/", {"title": "", "body": ""})
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Angaben" in text(response)
    assert not Thread.objects.exists()


# --- documents ---------------------------------------------------------------------------------


def test_document_versions(client: Any, member_a: Any, admin_b: Any, forum_staff: Any) -> None:
    make_group("raeume", forum_staff, members=(member_a, admin_b))
    client.force_login(member_a)
    response = client.post(
        "/groups/raeume/documents/new/",
        {"title": "Leitfaden", "file": pdf("leitfaden.pdf"), "note": "Entwurf"},
    )
    document = services.SharedDocument.objects.get(title="Leitfaden")
    assert response["Location"] == f"/groups/raeume/documents/{document.pk}/"
    client.force_login(admin_b)
    client.post(
        f"/groups/raeume/documents/{document.pk}/",
        {"file": pdf("leitfaden-v2.pdf", PDF + b"% zwei\n"), "note": "Kapitel 3"},
    )
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].note == "Kapitel 3"
    page = text(client.get(f"/groups/raeume/documents/{document.pk}/"))
    assert "leitfaden-v2.pdf" in page and "Kapitel 3" in page
    download = client.get(f"/groups/raeume/documents/{document.pk}/versions/{versions[1].pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="leitfaden-v2.pdf"'
    assert b"".join(download.streaming_content).endswith(b"% zwei\n")
    assert Notification.objects.filter(user=member_a, kind="document").count() == 1
    # a version number of another document is not found through this one
    other = services.add_document(services.WorkingGroup.objects.get(), member_a, "X", pdf())
    wrong = f"/groups/raeume/documents/{document.pk}/versions/{other.versions.get().pk}/"
    assert client.get(wrong).status_code == 404


def test_bad_uploads_are_refused_with_the_file_name(
    client: Any, member_a: Any, forum_staff: Any, settings: Any
) -> None:
    make_group("raeume", forum_staff, members=(member_a,))
    client.force_login(member_a)
    response = client.post(
        "/groups/raeume/documents/new/",
        {"title": "Programm", "file": pdf("tool.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 200
    assert "Die Datei „tool.exe“ hat keinen erlaubten Typ" in text(response)
    response = client.post(
        "/groups/raeume/documents/new/",
        {"title": "Falsch", "file": pdf("bericht.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert "Der Inhalt von „bericht.pdf“ passt nicht zur Endung .pdf" in text(response)
    settings.DEFUS_DOCUMENT_MAX_BYTES = 10
    response = client.post(
        "/groups/raeume/documents/new/", {"title": "Groß", "file": pdf("gross.pdf")}
    )
    assert "Die Datei „gross.pdf“ ist zu groß" in text(response)
    assert 'value="Groß"' in response.content.decode()  # the title is kept
    assert not services.SharedDocument.objects.exists()


# --- moderation --------------------------------------------------------------------------------


def test_report_hide_and_audit_log(
    client: Any, member_a: Any, admin_b: Any, colleague_a: Any, forum_staff: Any
) -> None:
    group = make_group("raeume", forum_staff, members=(member_a, admin_b, colleague_a))
    thread = services.post_thread(group, member_a, "Thema", "Start")
    post = services.reply(thread, admin_b, "Beleidigender Unsinn")
    client.force_login(colleague_a)
    assert client.get("/groups/moderation/").status_code == 403
    client.post(f"/groups/posts/{post.pk}/report/", {"reason": "beleidigend"})
    report = Report.objects.get()
    assert report.reporter == colleague_a and report.resolved is None
    assert client.post(f"/groups/moderation/posts/{post.pk}/").status_code == 403
    client.force_login(forum_staff)
    page = text(client.get("/groups/moderation/"))
    assert "beleidigend" in page and "Beleidigender Unsinn" in page
    client.post(f"/groups/moderation/posts/{post.pk}/", {"action": "hide", "reason": "Regel 2"})
    post.refresh_from_db()
    report.refresh_from_db()
    assert post.hidden and report.resolved is not None
    entries = list(ModerationEntry.objects.order_by("pk").values_list("action", "reason"))
    assert entries == [("report", "beleidigend"), ("hide_post", "Regel 2")]
    # others see the note, the author and staff the text
    client.force_login(colleague_a)
    page = text(client.get(f"/groups/raeume/threads/{thread.pk}/"))
    assert "Beleidigender Unsinn" not in page
    assert "Dieser Beitrag wurde von der Moderation ausgeblendet." in page
    for person in (admin_b, forum_staff):
        client.force_login(person)
        assert "Beleidigender Unsinn" in text(client.get(f"/groups/raeume/threads/{thread.pk}/"))
    # the log outlives the post
    post_id = post.pk
    Post.objects.filter(pk=post_id).delete()
    assert ModerationEntry.objects.filter(post_id_logged=post_id).count() == 2


def test_group_moderator_hides_a_thread_of_their_group_only(
    client: Any, member_a: Any, admin_b: Any, colleague_a: Any, forum_staff: Any
) -> None:
    group = make_group("raeume", forum_staff, members=(member_a, admin_b, colleague_a))
    other = make_group("andere", forum_staff, members=(member_a, admin_b))
    GroupMember.objects.filter(group=group, user=admin_b).update(role="moderator")
    thread = services.post_thread(group, member_a, "Streitfall", "Text")
    elsewhere = services.post_thread(other, member_a, "Anderswo", "Text")
    client.force_login(admin_b)
    assert client.get("/groups/moderation/").status_code == 200
    assert client.post(f"/groups/moderation/threads/{elsewhere.pk}/").status_code == 403
    client.post(f"/groups/moderation/threads/{thread.pk}/", {"action": "hide", "reason": "Streit"})
    thread.refresh_from_db()
    assert thread.hidden
    entry = ModerationEntry.objects.get()
    assert (entry.action, entry.thread_id_logged, entry.group_slug) == (
        "hide_thread",
        thread.pk,
        "raeume",
    )
    client.force_login(colleague_a)
    assert "Streitfall" not in text(client.get("/groups/raeume/"))
    page = text(client.get(f"/groups/raeume/threads/{thread.pk}/"))
    assert "Streitfall" not in page and "Diese Diskussion wurde von der Moderation" in page
    client.force_login(member_a)  # the author still reads it
    assert "Streitfall" in text(client.get(f"/groups/raeume/threads/{thread.pk}/"))


def test_people_outside_a_thread_cannot_report_it(member_a: Any, admin_b: Any, forum_staff: Any):
    group = make_group("ag", forum_staff, open_=False, members=(admin_b,))
    thread = services.post_thread(group, admin_b, "Intern", "Text")
    with pytest.raises(PermissionDenied):
        services.report_post(thread.posts.get(), member_a, "spam")


def test_display_name_with_organisation(db: Any, org_a: Any) -> None:
    person = make_person(
        "anna@musterstadt.example", org_a, "member", first_name="Anna", last_name="Schmidt"
    )
    assert services.person_label(person) == "Anna Schmidt (Musterstadt)"
