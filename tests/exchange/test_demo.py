from __future__ import annotations

import pytest

from defus.exchange.demo import build_exchange_demo
from defus.exchange.models import Post, Thread, WorkingGroup

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_an_answer_from_another_city() -> None:
    first = build_exchange_demo()
    assert len(first.groups_created) == 4
    counts = (WorkingGroup.objects.count(), Thread.objects.count(), Post.objects.count())
    second = build_exchange_demo()
    assert second.groups_created == [] and second.threads_created == []
    assert (WorkingGroup.objects.count(), Thread.objects.count(), Post.objects.count()) == counts
    names = set(WorkingGroup.objects.values_list("slug", flat=True))
    assert {"sichere-oeffentliche-raeume", "urbane-resilienz"} <= names
    resilience = WorkingGroup.objects.get(slug="urbane-resilienz")
    assert resilience.name_text("fr") == "Résilience urbaine"
    assert WorkingGroup.objects.filter(access="invitation").count() == 1
    question = Thread.objects.get(group=None)
    answer = question.posts.order_by("created").last()
    assert answer is not None and question.author is not None and answer.author is not None
    assert answer.author.memberships.get().organisation.slug == "musterstadt"
    assert question.author.memberships.get().organisation.slug == "beispielburg"
