"""Every wave, sample, letters and monitoring page: 404 for outsiders, 403 without permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from defus.fieldwork.models import SamplePerson
from defus.fieldwork.services.sample import import_sample
from tests.conftest import make_person

from .test_waves_support import make_wave, sample_csv, sample_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

WAVE_PAGES = {
    # name: (permission, methods)
    "wave_detail": ("wave.view", ["get"]),
    "wave_monitoring": ("wave.view", ["get"]),
    "wave_edit": ("wave.manage", ["get", "post"]),
    "wave_status": ("wave.manage", ["post"]),
    "wave_sample": ("sample.manage", ["get", "post"]),
    "wave_sample_discard": ("sample.manage", ["get", "post"]),
    "wave_sample_delete": ("sample.manage", ["get", "post"]),
    "wave_letters": ("sample.manage", ["get"]),
    "wave_letters_invitations": ("sample.manage", ["post"]),
    "wave_letters_reminders": ("sample.manage", ["post"]),
}
ORG_PAGES = {
    "wave_list": ("wave.view", ["get"]),
    "wave_create": ("wave.manage", ["get", "post"]),
    "example_districts": ("wave.view", ["get"]),
    "example_places": ("wave.view", ["get"]),
    "example_sample": ("wave.view", ["get"]),
}


@pytest.fixture
def wave(org_a):
    wave = make_wave(org_a)
    import_sample(wave, sample_csv(sample_rows(3)).encode())
    return wave


def all_urls(wave):
    org = wave.organisation.slug
    for name, (permission, methods) in WAVE_PAGES.items():
        yield (
            reverse(f"fieldwork:{name}", kwargs={"org": org, "wave": wave.slug}),
            permission,
            methods,
        )
    for name, (permission, methods) in ORG_PAGES.items():
        yield reverse(f"fieldwork:{name}", kwargs={"org": org}), permission, methods


def test_a_person_of_another_organisation_gets_404_everywhere(client, admin_b, wave):
    client.force_login(admin_b)
    for url, _permission, methods in all_urls(wave):
        for method in methods:
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, url)
    # … also with their own organisation in the URL and our wave's short name
    for name, (_permission, methods) in WAVE_PAGES.items():
        url = reverse(f"fieldwork:{name}", kwargs={"org": "beispielburg", "wave": wave.slug})
        for method in methods:
            assert getattr(client, method)(url).status_code == 404, (method, url)
    assert SamplePerson.objects.filter(wave=wave).count() == 3


def test_members_without_the_permission_get_403(client, member_a, analyst_a, wave):
    for person in (member_a, analyst_a):
        client.force_login(person)
        for url, permission, methods in all_urls(wave):
            allowed = person == analyst_a and permission == "wave.view"
            for method in methods:
                response = getattr(client, method)(url)
                if allowed:
                    assert response.status_code == 200, (person, method, url)
                else:
                    assert response.status_code == 403, (person, method, url)
    assert SamplePerson.objects.filter(wave=wave).count() == 3


def test_anonymous_visitors_are_sent_to_login(client, wave):
    for url, _permission, methods in all_urls(wave):
        response = client.get(url) if "get" in methods else client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_forum_staff_and_admins_reach_every_page(client, admin_a, forum_staff, wave):
    for person in (admin_a, forum_staff):
        client.force_login(person)
        for url, _permission, methods in all_urls(wave):
            if "get" in methods:
                assert client.get(url).status_code in (200, 302), url


def test_an_organisation_admin_of_two_cities_sees_only_the_right_wave(client, org_a, org_b, wave):
    other = make_wave(org_b, slug="beispielburg-2026")
    person = make_person("both@example.org", org_a, "admin")
    client.force_login(person)
    url = reverse("fieldwork:wave_detail", kwargs={"org": org_a.slug, "wave": other.slug})
    assert client.get(url).status_code == 404
