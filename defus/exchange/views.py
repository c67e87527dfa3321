"""Pages of the exchange under /groups/ (groups, discussions, documents, questions to peers,
moderation). Members only: anonymous visitors are sent to the login, other people get 403;
content of a group by invitation is not found (404) by people outside it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defus.core import uploads
from defus.organisations.models import User
from defus.organisations.permissions import is_forum_staff, is_network_member

from . import services
from .forms import (
    DocumentForm,
    GroupForm,
    InviteForm,
    ModerationForm,
    QuestionForm,
    ReplyForm,
    ReportForm,
    ThreadForm,
    VersionForm,
)
from .models import (
    DocumentVersion,
    GroupInvitation,
    GroupMember,
    Post,
    Report,
    SharedDocument,
    Thread,
    WorkingGroup,
)

View = Callable[..., HttpResponseBase]


def members_only(view: View) -> View:
    @wraps(view)
    def gate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_network_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return gate


def visible_group(request: HttpRequest, slug: str) -> WorkingGroup:
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not services.can_see_group(request.user, group):
        raise Http404
    return group


def visible_thread(request: HttpRequest, group: WorkingGroup | None, pk: int) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("group", "author"), pk=pk, group=group)
    if not services.can_see_thread(request.user, thread):
        raise Http404
    return thread


# --- groups ------------------------------------------------------------------------------------


@members_only
def group_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    mine_ids = set(GroupMember.objects.filter(user=user).values_list("group_id", flat=True))
    pending = {
        invitation.group_id: invitation.kind
        for invitation in GroupInvitation.objects.filter(user=user)
    }
    groups = list(WorkingGroup.objects.all())
    mine = [g for g in groups if g.pk in mine_ids]
    others = [g for g in groups if g.pk not in mine_ids]
    for group in others:
        group.pending = pending.get(group.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "exchange/group_list.html",
        {
            "mine": mine,
            "others": others,
            "is_staff": is_forum_staff(user),
            "can_moderate": services.can_moderate_anything(user),
        },
    )


@members_only
def group_new(request: HttpRequest) -> HttpResponse:
    if not is_forum_staff(request.user):
        raise PermissionDenied
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                request.user,
                slug=form.cleaned_data["slug"],
                name=form.texts("name"),
                description=form.texts("description"),
                kind=form.cleaned_data["kind"],
                access=form.cleaned_data["access"],
            )
        except services.ExchangeError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The group is open."))
            return redirect("exchange:group", group=group.slug)
    return render(request, "exchange/group_new.html", {"form": form})


@require_POST
@members_only
def join(request: HttpRequest) -> HttpResponse:
    """Join an open group, accept an invitation, or ask to join a group by invitation."""
    group = get_object_or_404(WorkingGroup, slug=request.POST.get("group", ""))
    outcome = services.join_group(group, request.user)
    if outcome == "requested":
        messages.success(
            request, _("Your request is sent to the group's moderators. We will let you know.")
        )
        return redirect("exchange:list")
    if outcome == "joined":
        messages.success(request, _("Welcome to the group."))
    return redirect("exchange:group", group=group.slug)


@members_only
def group_detail(request: HttpRequest, group: str) -> HttpResponse:
    item = visible_group(request, group)
    user = request.user
    own = services.membership(user, item)
    moderator = services.is_moderator(user, item)
    members = item.members.select_related("user").prefetch_related(
        "user__memberships__organisation"
    )
    return render(
        request,
        "exchange/group_detail.html",
        {
            "group": item,
            "own": own,
            "is_moderator": moderator,
            "can_post": services.can_post_in(user, item),
            "threads": services.visible_threads(user, item)[:100],
            "members": members,
            "documents": item.documents.prefetch_related("versions"),
            "requests": item.invitations.filter(kind=GroupInvitation.Kind.REQUESTED)
            .select_related("user")
            .prefetch_related("user__memberships__organisation")
            if moderator
            else [],
            "invite_form": InviteForm() if moderator else None,
        },
    )


@require_POST
@members_only
def leave(request: HttpRequest, group: str) -> HttpResponse:
    item = visible_group(request, group)
    if services.leave_group(item, request.user):
        messages.success(request, _("You have left the group."))
    return redirect("exchange:list")


@require_POST
@members_only
def invite(request: HttpRequest, group: str) -> HttpResponse:
    item = visible_group(request, group)
    if not services.is_moderator(request.user, item):
        raise PermissionDenied
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite(item, request.user, form.cleaned_data["email"])
        except services.ExchangeError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The invitation is sent."))
    else:
        messages.error(request, _("Please give a valid email address."))
    return redirect("exchange:group", group=item.slug)


@require_POST
@members_only
def decide_request(request: HttpRequest, group: str, invitation: int) -> HttpResponse:
    item = visible_group(request, group)
    if not services.is_moderator(request.user, item):
        raise PermissionDenied
    pending = get_object_or_404(
        GroupInvitation, group=item, pk=invitation, kind=GroupInvitation.Kind.REQUESTED
    )
    accept = request.POST.get("action") == "accept"
    services.decide_request(pending, request.user, accept=accept)
    messages.success(request, _("Admitted.") if accept else _("Request declined."))
    return redirect("exchange:group", group=item.slug)


@require_POST
@members_only
def member_role(request: HttpRequest, group: str, member: int) -> HttpResponse:
    item = visible_group(request, group)
    if not services.is_moderator(request.user, item):
        raise PermissionDenied
    target = get_object_or_404(GroupMember, group=item, pk=member)
    try:
        services.set_role(item, request.user, target, request.POST.get("role", ""))
    except services.ExchangeError as refusal:
        messages.error(request, str(refusal))
    return redirect("exchange:group", group=item.slug)


# --- discussions -------------------------------------------------------------------------------


@members_only
def thread_new(request: HttpRequest, group: str) -> HttpResponse:
    item = visible_group(request, group)
    if not services.can_post_in(request.user, item):
        raise PermissionDenied
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.post_thread(
                item,
                request.user,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                form.mentions(),
            )
        except services.ExchangeError as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(thread.get_absolute_url())
    return render(
        request,
        "exchange/thread_new.html",
        {"group": item, "form": form, "people": services.mention_candidates(item)},
    )


def _thread_page(request: HttpRequest, thread: Thread) -> HttpResponse:
    user = request.user
    can_read = not thread.hidden or services.sees_hidden(user, thread, thread.author)
    can_reply = can_read and services.can_post_in(user, thread.group)
    if thread.hidden and not services.is_moderator(user, thread.group):
        can_reply = False
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if not can_reply:
            raise PermissionDenied
        if form.is_valid():
            try:
                post = services.reply(thread, user, form.cleaned_data["body"], form.mentions())
            except services.ExchangeError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Your reply is posted."))
                return redirect(f"{thread.get_absolute_url()}#post-{post.pk}")
    posts = list(
        thread.posts.select_related("author").prefetch_related("author__memberships__organisation")
    )
    asker_organisation = services.organisation_of(thread.author) if thread.is_question else None
    for post in posts:
        post.readable = not post.hidden or services.sees_hidden(user, thread, post.author)  # type: ignore[attr-defined]
        organisation = services.organisation_of(post.author)
        post.other_city = (  # type: ignore[attr-defined]
            organisation
            if thread.is_question
            and organisation is not None
            and asker_organisation is not None
            and organisation.pk != asker_organisation.pk
            else None
        )
    return render(
        request,
        "exchange/thread.html",
        {
            "thread": thread,
            "group": thread.group,
            "can_read": can_read,
            "can_reply": can_reply,
            "posts": posts if can_read else [],
            "form": form,
            "people": services.mention_candidates(thread),
            "is_moderator": services.is_moderator(user, thread.group),
        },
    )


@members_only
def thread_detail(request: HttpRequest, group: str, thread: int) -> HttpResponse:
    item = visible_group(request, group)
    return _thread_page(request, visible_thread(request, item, thread))


# --- shared documents --------------------------------------------------------------------------


@members_only
def document_new(request: HttpRequest, group: str) -> HttpResponse:
    item = visible_group(request, group)
    if not services.can_post_in(request.user, item):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.add_document(
                item,
                request.user,
                form.cleaned_data["title"],
                form.cleaned_data["file"],
                form.cleaned_data["note"],
            )
        except uploads.DocumentError as refusal:
            form.add_error("file", str(refusal))
        else:
            messages.success(request, _("The document is shared with the group."))
            return redirect("exchange:document", group=item.slug, shared_document=document.pk)
    return render(request, "exchange/document_new.html", {"group": item, "form": form})


@members_only
def document_detail(request: HttpRequest, group: str, shared_document: int) -> HttpResponse:
    item = visible_group(request, group)
    document = get_object_or_404(SharedDocument, group=item, pk=shared_document)
    can_upload = services.can_post_in(request.user, item)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = services.upload_version(
                    document, request.user, form.cleaned_data["file"], form.cleaned_data["note"]
                )
            except uploads.DocumentError as refusal:
                form.add_error("file", str(refusal))
            else:
                messages.success(
                    request, _("Version %(number)d is uploaded.") % {"number": version.number}
                )
                return redirect("exchange:document", group=item.slug, shared_document=document.pk)
    versions = document.versions.select_related("uploaded_by").prefetch_related(
        "uploaded_by__memberships__organisation"
    )
    return render(
        request,
        "exchange/document.html",
        {
            "group": item,
            "document": document,
            "versions": versions,
            "form": form,
            "can_upload": can_upload,
        },
    )


@members_only
def version_download(
    request: HttpRequest, group: str, shared_document: int, document_version: int
) -> HttpResponseBase:
    item = visible_group(request, group)
    version = get_object_or_404(
        DocumentVersion,
        document__group=item,
        document_id=shared_document,
        pk=document_version,
    )
    return uploads.document_response(version.file)


# --- questions to peers ------------------------------------------------------------------------


@members_only
def question_list(request: HttpRequest) -> HttpResponse:
    questions = services.visible_threads(request.user, None).prefetch_related(
        "author__memberships__organisation"
    )
    return render(request, "exchange/question_list.html", {"questions": questions[:200]})


@members_only
def question_new(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.ask_peers(
                request.user,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                form.mentions(),
            )
        except services.ExchangeError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your question is sent to the member cities."))
            return redirect(thread.get_absolute_url())
    return render(request, "exchange/question_new.html", {"form": form})


@members_only
def question_detail(request: HttpRequest, thread: int) -> HttpResponse:
    return _thread_page(request, visible_thread(request, None, thread))


# --- reports and moderation --------------------------------------------------------------------


def visible_post(request: HttpRequest, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__group", "author"), pk=pk)
    if not services.can_see_thread(request.user, post.thread):
        raise Http404
    return post


@members_only
def report(request: HttpRequest, post: int) -> HttpResponse:
    item = visible_post(request, post)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_post(item, request.user, form.cleaned_data["reason"])
        messages.success(request, _("Thank you. The moderation will look at the post."))
        return redirect(f"{item.thread.get_absolute_url()}#post-{item.pk}")
    return render(request, "exchange/report.html", {"post": item, "form": form})


@members_only
def moderation(request: HttpRequest) -> HttpResponse:
    if not services.can_moderate_anything(request.user):
        raise PermissionDenied
    return render(
        request,
        "exchange/moderation.html",
        {**services.moderation_queue(request.user), "form": ModerationForm()},
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


@require_POST
@members_only
def moderate_post(request: HttpRequest, post: int) -> HttpResponse:
    item = visible_post(request, post)
    if not services.is_moderator(request.user, item.thread.group):
        raise PermissionDenied
    form = ModerationForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    hidden = request.POST.get("action") != "unhide"
    services.hide(request.user, post=item, reason=reason, hidden=hidden)
    messages.success(request, _("The post is hidden.") if hidden else _("The post is shown again."))
    return _back(request, "exchange:moderation")


@require_POST
@members_only
def moderate_thread(request: HttpRequest, thread: int) -> HttpResponse:
    item = get_object_or_404(Thread.objects.select_related("group"), pk=thread)
    if not services.can_see_thread(request.user, item):
        raise Http404
    if not services.is_moderator(request.user, item.group):
        raise PermissionDenied
    form = ModerationForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    hidden = request.POST.get("action") != "unhide"
    services.hide(request.user, thread=item, reason=reason, hidden=hidden)
    messages.success(
        request,
        _("The discussion is hidden.") if hidden else _("The discussion is shown again."),
    )
    return _back(request, "exchange:moderation")


@require_POST
@members_only
def dismiss_report(request: HttpRequest, report: int) -> HttpResponse:
    item = get_object_or_404(Report.objects.select_related("post__thread__group"), pk=report)
    if not services.can_see_thread(request.user, item.post.thread):
        raise Http404
    if not services.is_moderator(request.user, item.post.thread.group):
        raise PermissionDenied
    form = ModerationForm(request.POST)
    services.resolve_report(
        item, request.user, form.cleaned_data["reason"] if form.is_valid() else ""
    )
    messages.success(request, _("The report is closed; the post stays visible."))
    return redirect("exchange:moderation")
