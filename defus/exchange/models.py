"""Exchange between the members: working groups and topic spaces, discussions, shared
documents with versions, questions to peers, notifications with an email digest, moderation.

Group names and descriptions are stored per language ({"de": …, "en": …, "fr": …}) like the
events' titles. Who may see and do what is decided in services.py; nothing here checks rights.

Notifications store a kind and its parameters, not a finished sentence: the text is made when
it is shown or emailed, in the language of that moment (the page's, or the person's preferred
language for the digest). A person who switches language sees every notification in the new
one, and a corrected translation reaches old notifications too.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from defus.core.languages import in_language

# Paths of the group pages that are not groups: a group may not take these short names.
RESERVED_SLUGS = frozenset({"new", "questions", "moderation", "join", "posts", "invitations"})


def new_token() -> str:
    return secrets.token_urlsafe(24)


class WorkingGroup(models.Model):
    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", _("Working group")
        TOPIC_SPACE = "topic_space", _("Topic space")

    class Access(models.TextChoices):
        OPEN = "open", _("Open to all members")
        INVITATION = "invitation", _("By invitation")

    slug = models.SlugField(_("short name"), unique=True)
    name = models.JSONField(_("name"), default=dict, help_text='{"de": …, "en": …, "fr": …}')
    description = models.JSONField(_("description"), default=dict, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.TOPIC_SPACE
    )
    access = models.CharField(
        _("access"), max_length=20, choices=Access.choices, default=Access.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_text()

    def name_text(self, language: str | None = None) -> str:
        return in_language(self.name, language) or self.slug

    def description_text(self, language: str | None = None) -> str:
        return in_language(self.description, language)

    @property
    def is_open(self) -> bool:
        return self.access == self.Access.OPEN


class GroupMember(models.Model):
    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["role", "joined"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.group}"


class GroupInvitation(models.Model):
    """A way into a group by invitation: a moderator invites a person, or a person asks."""

    class Kind(models.TextChoices):
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Asked to join")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_invitations"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group invitation")
        verbose_name_plural = _("group invitations")
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_invitation_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.group} ({self.kind})"


class Thread(models.Model):
    """A discussion in a group, or (without a group) a question to all member cities."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question to peers")

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    created = models.DateTimeField(auto_now_add=True)
    last_activity = models.DateTimeField(auto_now_add=True)
    hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        ordering = ["-last_activity"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        if self.group is None:
            return reverse("exchange:question", kwargs={"thread": self.pk})
        return reverse("exchange:thread", kwargs={"group": self.group.slug, "thread": self.pk})

    @property
    def is_question(self) -> bool:
        return self.group_id is None


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("text"))
    created = models.DateTimeField(auto_now_add=True)
    edited = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.thread}: {self.body[:40]}"


def document_path(version: DocumentVersion, filename: str) -> str:
    # A random folder: the stored name cannot be guessed; downloads go through the view.
    name = os.path.basename(filename) or "document"
    return f"exchange/{version.document.group_id}/{secrets.token_hex(8)}/{name}"


class SharedDocument(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shared document")
        verbose_name_plural = _("shared documents")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    document = models.ForeignKey(SharedDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def filename(self) -> str:
        return os.path.basename(self.file.name or "")


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply")
        ANSWER = "answer", _("Answer to a question")
        QUESTION = "question", _("New question to peers")
        NEW_THREAD = "new_thread", _("New discussion")
        DOCUMENT = "document", _("New document version")
        INVITATION = "invitation", _("Invitation")
        JOIN_REQUEST = "join_request", _("Request to join")
        JOINED = "joined", _("Admitted to a group")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["emailed_at"])]

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        """The notification as a sentence in the active language."""
        template = NOTIFICATION_TEXTS.get(self.kind)
        if template is None:
            return self.kind
        values: dict[str, Any] = {"person": "", "title": "", "group": ""}
        values.update(self.params or {})
        group = values.get("group")
        if isinstance(group, dict):  # group names are kept in every language
            values["group"] = in_language(group)
        return gettext(template) % values


# Sentences of the notifications (marked for translation, translated when shown);
# %(person)s is "Full name (Organisation)".
NOTIFICATION_TEXTS = {
    "mention": gettext_noop("%(person)s mentioned you in “%(title)s”."),
    "reply": gettext_noop("%(person)s replied in “%(title)s”."),
    "answer": gettext_noop("%(person)s answered the question “%(title)s”."),
    "question": gettext_noop("New question to peers from %(person)s: “%(title)s”."),
    "new_thread": gettext_noop("%(person)s started the discussion “%(title)s” in %(group)s."),
    "document": gettext_noop("%(person)s uploaded a new version of “%(title)s” in %(group)s."),
    "invitation": gettext_noop("%(person)s invited you to the group %(group)s."),
    "join_request": gettext_noop("%(person)s asks to join the group %(group)s."),
    "joined": gettext_noop("You are now a member of the group %(group)s."),
}


class NotificationSettings(models.Model):
    class Digest(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        NEVER = "never", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(
        _("email digest"), max_length=10, choices=Digest.choices, default=Digest.DAILY
    )
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_token)
    last_digest = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user}: {self.digest}"


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"report on post {self.post_id}"


class ModerationEntry(models.Model):
    """The moderation's audit log: plain ids, so an entry outlives the post or thread."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=40)
    thread_id_logged = models.PositiveBigIntegerField(null=True, blank=True)
    post_id_logged = models.PositiveBigIntegerField(null=True, blank=True)
    group_slug = models.CharField(max_length=50, blank=True)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("moderation entry")
        verbose_name_plural = _("moderation entries")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_text(self) -> str:
        return str(MODERATION_ACTIONS.get(self.action, self.action))


MODERATION_ACTIONS = {
    "report": _("reported a post"),
    "hide_post": _("hid a post"),
    "unhide_post": _("showed a post again"),
    "hide_thread": _("hid a discussion"),
    "unhide_thread": _("showed a discussion again"),
    "dismiss_report": _("closed a report"),
}
