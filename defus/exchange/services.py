"""The rules of the exchange: who sees and may do what, and every change (groups, discussions,
questions to peers, documents, notifications, moderation). Views and the `defus exchange`
command call these functions; nothing else writes to the exchange's tables.

Visibility in one sentence: every member of the network (a person of a member organisation,
or forum staff) sees open groups and the questions to peers; a group by invitation is seen by
its members and forum staff only; hidden content is seen by its author, the group's moderators
and forum staff, everybody else sees that it was hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from defus.core import uploads
from defus.organisations.models import Organisation, User
from defus.organisations.permissions import is_forum_staff, is_network_member

from .models import (
    RESERVED_SLUGS,
    DocumentVersion,
    GroupInvitation,
    GroupMember,
    ModerationEntry,
    Notification,
    NotificationSettings,
    Post,
    Report,
    SharedDocument,
    Thread,
    WorkingGroup,
)


class ExchangeError(Exception):
    """A refusal to show the person who asked (translated)."""


# --- people ------------------------------------------------------------------------------------


def organisation_of(user: Any) -> Organisation | None:
    """The member organisation a person speaks for (the first by name if several)."""
    if user is None:
        return None
    memberships = sorted(
        (m for m in user.memberships.all() if m.organisation.is_member),
        key=lambda m: m.organisation.name,
    )
    return memberships[0].organisation if memberships else None


def person_label(user: Any) -> str:
    """ "Full name (Organisation)", as people are shown in the exchange."""
    if user is None:
        return _("(deleted)")
    name = user.get_full_name() or user.email
    organisation = organisation_of(user)
    return f"{name} ({organisation.name})" if organisation else name


def network_members() -> QuerySet[User]:
    """Every active person of a member organisation, and the forum's staff."""
    return User.objects.filter(
        Q(memberships__organisation__is_member=True) | Q(is_forum_staff=True), is_active=True
    ).distinct()


# --- who sees what -----------------------------------------------------------------------------


def membership(user: Any, group: WorkingGroup) -> GroupMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return GroupMember.objects.filter(group=group, user=user).first()


def is_moderator(user: Any, group: WorkingGroup | None) -> bool:
    """Forum staff moderate everything; a group's moderators their group (and its threads)."""
    if is_forum_staff(user):
        return True
    if group is None or not is_network_member(user):
        return False
    member = membership(user, group)
    return member is not None and member.role == GroupMember.Role.MODERATOR


def can_see_group(user: Any, group: WorkingGroup) -> bool:
    if not is_network_member(user):
        return False
    return group.is_open or is_forum_staff(user) or membership(user, group) is not None


def can_post_in(user: Any, group: WorkingGroup | None) -> bool:
    """Questions to peers: every member; a group: its members (and forum staff)."""
    if not is_network_member(user):
        return False
    if group is None:
        return True
    return is_forum_staff(user) or membership(user, group) is not None


def can_see_thread(user: Any, thread: Thread) -> bool:
    if not is_network_member(user):
        return False
    return thread.group is None or can_see_group(user, thread.group)


def sees_hidden(user: Any, thread: Thread, author: Any) -> bool:
    """The author of hidden content, the thread's moderators and forum staff read it."""
    if getattr(user, "is_authenticated", False) and author is not None and author.pk == user.pk:
        return True
    return is_moderator(user, thread.group)


def visible_groups(user: Any) -> QuerySet[WorkingGroup]:
    """Groups whose content `user` may see."""
    if not is_network_member(user):
        return WorkingGroup.objects.none()
    if is_forum_staff(user):
        return WorkingGroup.objects.all()
    return WorkingGroup.objects.filter(
        Q(access=WorkingGroup.Access.OPEN) | Q(members__user=user)
    ).distinct()


def visible_threads(user: Any, group: WorkingGroup | None = None) -> QuerySet[Thread]:
    """Threads of a group (or the questions to peers, group None) as listed for `user`:
    hidden ones only for their author and the moderators."""
    threads = Thread.objects.filter(group=group).select_related("author", "group")
    if not is_moderator(user, group):
        threads = threads.filter(Q(hidden=False) | Q(author=user))
    return threads


def moderated_groups(user: Any) -> QuerySet[WorkingGroup]:
    if is_forum_staff(user):
        return WorkingGroup.objects.all()
    if not is_network_member(user):
        return WorkingGroup.objects.none()
    return WorkingGroup.objects.filter(members__user=user, members__role=GroupMember.Role.MODERATOR)


def can_moderate_anything(user: Any) -> bool:
    return is_forum_staff(user) or moderated_groups(user).exists()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- notifications -----------------------------------------------------------------------------


def notify(
    users: Iterable[Any], kind: str, *, actor: Any = None, url: str = "", **params: Any
) -> int:
    """One notification of `kind` for each person (the actor and inactive people left out).

    The text is made when it is shown (models.Notification.text), in that moment's language.
    """
    if actor is not None:
        params.setdefault("person", person_label(actor))
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if actor is not None and user.pk == actor.pk:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, params=params, url=url))
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def unread_count_if_member(user: Any) -> int | None:
    """For the header on every page, in one query: the number of unread notifications of a
    person of a member organisation; None for anybody else."""
    from django.db.models import Count, Exists, OuterRef, Subquery

    from defus.organisations.models import Membership, User

    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .values("user")
        .annotate(number=Count("pk"))
        .values("number")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            member=Exists(
                Membership.objects.filter(user=OuterRef("pk"), organisation__is_member=True)
            ),
            unread=Subquery(unread),
        )
        .values("member", "unread")
        .first()
    )
    if row is None or not row["member"]:
        return None
    return int(row["unread"] or 0)


def mark_read(user: Any, notification_id: int | None = None) -> int:
    """Mark one notification of `user` (or all of them) as read; how many changed."""
    notifications = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        notifications = notifications.filter(pk=notification_id)
    return notifications.update(read_at=timezone.now())


def settings_for(user: Any) -> NotificationSettings:
    return NotificationSettings.objects.get_or_create(user=user)[0]


def set_digest(user: Any, digest: str) -> NotificationSettings:
    if digest not in NotificationSettings.Digest.values:
        raise ExchangeError(_("Please choose how often you want an email."))
    settings = settings_for(user)
    settings.digest = digest
    settings.save(update_fields=["digest"])
    return settings


def unsubscribe(token: str) -> NotificationSettings | None:
    """One-click unsubscribe: no more digest emails for the holder of the token."""
    settings = NotificationSettings.objects.filter(unsubscribe_token=token).first()
    if settings is not None and settings.digest != NotificationSettings.Digest.NEVER:
        settings.digest = NotificationSettings.Digest.NEVER
        settings.save(update_fields=["digest"])
    return settings


# Mentions: "@" followed by a person's email address, e.g. "@anna.schmidt@musterstadt.de".
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def mentioned_emails(text: str) -> set[str]:
    return {match.rstrip(".").lower() for match in MENTION.findall(text or "")}


def mentioned_people(text: str, thread: Thread, extra: Iterable[str] = ()) -> list[User]:
    """The people named in `text` (or chosen in the form) who can see the thread."""
    emails = mentioned_emails(text) | {e.strip().lower() for e in extra if e and e.strip()}
    if not emails:
        return []
    people = User.objects.filter(email__in=emails, is_active=True).prefetch_related(
        "memberships__organisation"
    )
    return [person for person in people if can_see_thread(person, thread)]


def mention_candidates(thread_or_group: Thread | WorkingGroup | None) -> QuerySet[User]:
    """Whom the form's list offers to mention: the group's members, or a question's
    participants (anyone else can still be named with @email)."""
    if isinstance(thread_or_group, WorkingGroup):
        return User.objects.filter(
            group_memberships__group=thread_or_group, is_active=True
        ).order_by("last_name", "first_name")
    if isinstance(thread_or_group, Thread):
        if thread_or_group.group is not None:
            return mention_candidates(thread_or_group.group)
        authors = thread_or_group.posts.values("author")
        return User.objects.filter(pk__in=authors, is_active=True).order_by("last_name")
    return User.objects.none()


# --- groups ------------------------------------------------------------------------------------


def create_group(
    by: Any,
    *,
    slug: str,
    name: dict[str, str],
    description: dict[str, str] | None = None,
    kind: str = WorkingGroup.Kind.TOPIC_SPACE,
    access: str = WorkingGroup.Access.OPEN,
) -> WorkingGroup:
    """Forum staff open a working group or topic space; they become its first moderator."""
    _require(is_forum_staff(by))
    if slug in RESERVED_SLUGS:
        raise ExchangeError(_("This short name is reserved; please choose another."))
    if WorkingGroup.objects.filter(slug=slug).exists():
        raise ExchangeError(_("A group with this short name exists already."))
    if not (name or {}).get("de"):
        raise ExchangeError(_("Please give the group a German name."))
    with transaction.atomic():
        group = WorkingGroup.objects.create(
            slug=slug,
            name={k: v for k, v in name.items() if v},
            description={k: v for k, v in (description or {}).items() if v},
            kind=kind,
            access=access,
            created_by=by,
        )
        GroupMember.objects.create(group=group, user=by, role=GroupMember.Role.MODERATOR)
    return group


def group_url(group: WorkingGroup) -> str:
    return reverse("exchange:group", kwargs={"group": group.slug})


def join_group(group: WorkingGroup, user: Any) -> str:
    """Join an open group; for a group by invitation accept the invitation or ask to join.

    Returns "member" (was one already), "joined" or "requested".
    """
    _require(is_network_member(user))
    with transaction.atomic():
        if membership(user, group) is not None:
            return "member"
        invitation = GroupInvitation.objects.filter(group=group, user=user).first()
        invited = invitation is not None and invitation.kind == GroupInvitation.Kind.INVITED
        if group.is_open or invited or is_forum_staff(user):
            GroupMember.objects.create(group=group, user=user)
            GroupInvitation.objects.filter(group=group, user=user).delete()
            return "joined"
        if invitation is None:
            GroupInvitation.objects.create(
                group=group, user=user, kind=GroupInvitation.Kind.REQUESTED
            )
            moderators = User.objects.filter(
                group_memberships__group=group,
                group_memberships__role=GroupMember.Role.MODERATOR,
            )
            notify(
                moderators,
                Notification.Kind.JOIN_REQUEST,
                actor=user,
                url=group_url(group),
                group=group.name,
            )
        return "requested"


def leave_group(group: WorkingGroup, user: Any) -> bool:
    deleted, _rows = GroupMember.objects.filter(group=group, user=user).delete()
    return bool(deleted)


def invite(group: WorkingGroup, by: Any, email: str) -> GroupInvitation | GroupMember:
    """A moderator invites a person of the network by email address (no new accounts)."""
    _require(is_moderator(by, group))
    email = (email or "").strip().lower()
    person = User.objects.filter(email=email, is_active=True).first()
    if person is None or not is_network_member(person):
        raise ExchangeError(
            _("Nobody in the network has the email address “%(email)s”.") % {"email": email}
        )
    existing = membership(person, group)
    if existing is not None:
        raise ExchangeError(
            _("%(person)s is a member of this group already.") % {"person": person_label(person)}
        )
    with transaction.atomic():
        pending = GroupInvitation.objects.filter(group=group, user=person).first()
        if pending is not None and pending.kind == GroupInvitation.Kind.REQUESTED:
            # They asked already: the invitation admits them.
            return decide_request(pending, by, accept=True)  # type: ignore[return-value]
        invitation, _created = GroupInvitation.objects.update_or_create(
            group=group,
            user=person,
            defaults={"kind": GroupInvitation.Kind.INVITED, "invited_by": by},
        )
        notify(
            [person],
            Notification.Kind.INVITATION,
            actor=by,
            url=reverse("exchange:list"),
            group=group.name,
        )
    return invitation


def decide_request(invitation: GroupInvitation, by: Any, *, accept: bool) -> GroupMember | None:
    """A moderator admits (or declines) a person who asked to join."""
    group = invitation.group
    _require(is_moderator(by, group))
    with transaction.atomic():
        person = invitation.user
        invitation.delete()
        if not accept:
            return None
        member, _created = GroupMember.objects.get_or_create(group=group, user=person)
        notify([person], Notification.Kind.JOINED, url=group_url(group), group=group.name)
    return member


def set_role(group: WorkingGroup, by: Any, member: GroupMember, role: str) -> GroupMember:
    _require(is_moderator(by, group) and member.group_id == group.pk)
    if role not in GroupMember.Role.values:
        raise ExchangeError(_("Unknown role."))
    if role == GroupMember.Role.MEMBER and member.role == GroupMember.Role.MODERATOR:
        others = group.members.filter(role=GroupMember.Role.MODERATOR).exclude(pk=member.pk)
        if not others.exists():
            raise ExchangeError(_("A group keeps at least one moderator."))
    member.role = role
    member.save(update_fields=["role"])
    return member


# --- discussions and questions -----------------------------------------------------------------


def _clean(title: str | None, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not body:
        raise ExchangeError(_("Please write a text."))
    return title, body


def post_thread(
    group: WorkingGroup, author: Any, title: str, body: str, mentions: Iterable[str] = ()
) -> Thread:
    """A new discussion in a group; the group's members are told, the mentioned people too."""
    _require(can_post_in(author, group))
    title, body = _clean(title, body)
    if not title:
        raise ExchangeError(_("Please give the discussion a title."))
    with transaction.atomic():
        thread = Thread.objects.create(
            group=group, title=title, author=author, kind=Thread.Kind.DISCUSSION
        )
        Post.objects.create(thread=thread, author=author, body=body)
        url = thread.get_absolute_url()
        mentioned = mentioned_people(body, thread, mentions)
        notify(mentioned, Notification.Kind.MENTION, actor=author, url=url, title=title)
        members = User.objects.filter(group_memberships__group=group).exclude(
            pk__in=[p.pk for p in mentioned]
        )
        notify(
            members,
            Notification.Kind.NEW_THREAD,
            actor=author,
            url=url,
            title=title,
            group=group.name,
        )
    return thread


def ask_peers(author: Any, title: str, body: str, mentions: Iterable[str] = ()) -> Thread:
    """A question to every member city ("who has experience with …?"): the people of the
    other member organisations are told; the asker's own colleagues are not."""
    _require(is_network_member(author))
    title, body = _clean(title, body)
    if not title:
        raise ExchangeError(_("Please give the question a title."))
    with transaction.atomic():
        thread = Thread.objects.create(
            group=None, title=title, author=author, kind=Thread.Kind.QUESTION
        )
        Post.objects.create(thread=thread, author=author, body=body)
        url = thread.get_absolute_url()
        mentioned = mentioned_people(body, thread, mentions)
        notify(mentioned, Notification.Kind.MENTION, actor=author, url=url, title=title)
        own = Organisation.objects.filter(memberships__user=author)
        peers = (
            User.objects.filter(memberships__organisation__is_member=True, is_active=True)
            .exclude(memberships__organisation__in=own)
            .exclude(pk__in=[p.pk for p in mentioned])
            .distinct()
        )
        notify(peers, Notification.Kind.QUESTION, actor=author, url=url, title=title)
    return thread


def reply(thread: Thread, author: Any, body: str, mentions: Iterable[str] = ()) -> Post:
    """A reply (or answer to a question): the thread's author and earlier participants are
    told, mentioned people get a mention instead."""
    _require(can_see_thread(author, thread) and can_post_in(author, thread.group))
    if thread.hidden and not is_moderator(author, thread.group):
        raise ExchangeError(_("This discussion was hidden by the moderation."))
    _title, body = _clean(None, body)
    with transaction.atomic():
        earlier = set(thread.posts.values_list("author", flat=True)) | {thread.author_id}
        post = Post.objects.create(thread=thread, author=author, body=body)
        Thread.objects.filter(pk=thread.pk).update(last_activity=post.created)
        url = f"{thread.get_absolute_url()}#post-{post.pk}"
        mentioned = mentioned_people(body, thread, mentions)
        notify(mentioned, Notification.Kind.MENTION, actor=author, url=url, title=thread.title)
        earlier_people = User.objects.filter(pk__in=[pk for pk in earlier if pk is not None])
        participants = [
            person
            for person in earlier_people.exclude(pk__in=[p.pk for p in mentioned])
            if can_see_thread(person, thread)
        ]
        kind = Notification.Kind.ANSWER if thread.is_question else Notification.Kind.REPLY
        notify(participants, kind, actor=author, url=url, title=thread.title)
    return post


# --- shared documents --------------------------------------------------------------------------


check_upload = uploads.check_upload


def add_document(
    group: WorkingGroup, by: Any, title: str, upload: UploadedFile, note: str = ""
) -> SharedDocument:
    _require(can_post_in(by, group))
    title = (title or "").strip() or (upload.name or "")
    check_upload(upload)
    with transaction.atomic():
        document = SharedDocument.objects.create(group=group, title=title[:200], created_by=by)
        upload_version(document, by, upload, note)
    return document


def upload_version(
    document: SharedDocument, by: Any, upload: UploadedFile, note: str = ""
) -> DocumentVersion:
    """A new version of a shared document; the numbers count up and are never reused."""
    group = document.group
    _require(can_post_in(by, group))
    check_upload(upload)
    with transaction.atomic():
        # Lock the document so two uploads at once do not draw the same number.
        SharedDocument.objects.select_for_update().filter(pk=document.pk).first()
        number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = DocumentVersion(
            document=document, number=number, uploaded_by=by, note=(note or "").strip()[:300]
        )
        version.file.save(upload.name or "document", upload, save=False)
        version.save()
        members = User.objects.filter(group_memberships__group=group)
        notify(
            members,
            Notification.Kind.DOCUMENT,
            actor=by,
            url=reverse(
                "exchange:document",
                kwargs={"group": group.slug, "shared_document": document.pk},
            ),
            title=document.title,
            group=group.name,
        )
    return version


# --- moderation --------------------------------------------------------------------------------


def _log(
    actor: Any, action: str, *, thread: Thread, post: Post | None = None, reason: str = ""
) -> ModerationEntry:
    return ModerationEntry.objects.create(
        actor=actor,
        actor_name=person_label(actor) if actor is not None else "",
        action=action,
        thread_id_logged=thread.pk,
        post_id_logged=post.pk if post is not None else None,
        group_slug=thread.group.slug if thread.group is not None else "",
        reason=reason,
    )


def report_post(post: Post, reporter: Any, reason: str) -> Report:
    """Any member who sees a post may report it to the moderation."""
    thread = post.thread
    _require(can_see_thread(reporter, thread))
    reason = (reason or "").strip()
    if not reason:
        raise ExchangeError(_("Please say what is wrong with this post."))
    with transaction.atomic():
        report = Report.objects.create(post=post, reporter=reporter, reason=reason)
        _log(reporter, "report", thread=thread, post=post, reason=reason)
    return report


def hide(
    actor: Any,
    *,
    post: Post | None = None,
    thread: Thread | None = None,
    reason: str = "",
    hidden: bool = True,
) -> ModerationEntry:
    """Hide (or show again) a post or a whole thread; written to the moderation log.
    Hiding a post resolves the open reports about it."""
    if post is not None:
        thread = post.thread
    if thread is None:
        raise ValueError("hide() needs a post or a thread")
    _require(is_moderator(actor, thread.group))
    reason = (reason or "").strip()
    with transaction.atomic():
        if post is not None:
            post.hidden = hidden
            post.save(update_fields=["hidden"])
            if hidden:
                post.reports.filter(resolved__isnull=True).update(resolved=timezone.now())
            action = "hide_post" if hidden else "unhide_post"
        else:
            thread.hidden = hidden
            thread.save(update_fields=["hidden"])
            action = "hide_thread" if hidden else "unhide_thread"
        return _log(actor, action, thread=thread, post=post, reason=reason)


def resolve_report(report: Report, actor: Any, reason: str = "") -> ModerationEntry:
    """Close a report without hiding the post."""
    _require(is_moderator(actor, report.post.thread.group))
    with transaction.atomic():
        report.resolved = timezone.now()
        report.save(update_fields=["resolved"])
        return _log(
            actor, "dismiss_report", thread=report.post.thread, post=report.post, reason=reason
        )


def moderation_queue(user: Any) -> dict[str, Any]:
    """What a moderator sees: open reports, hidden content and the log of their groups
    (forum staff: everything, including the questions to peers)."""
    _require(can_moderate_anything(user))
    reports = Report.objects.filter(resolved__isnull=True).select_related(
        "post__thread__group", "post__author", "reporter"
    )
    hidden_posts = Post.objects.filter(hidden=True).select_related("thread__group", "author")
    hidden_threads = Thread.objects.filter(hidden=True).select_related("group", "author")
    log = ModerationEntry.objects.all()
    if not is_forum_staff(user):
        groups = moderated_groups(user)
        reports = reports.filter(post__thread__group__in=groups)
        hidden_posts = hidden_posts.filter(thread__group__in=groups)
        hidden_threads = hidden_threads.filter(group__in=groups)
        log = log.filter(group_slug__in=groups.values("slug"))
    return {
        "reports": list(reports[:200]),
        "hidden_posts": list(hidden_posts[:200]),
        "hidden_threads": list(hidden_threads[:200]),
        "log": list(log[:100]),
    }
