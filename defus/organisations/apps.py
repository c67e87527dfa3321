from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "defus.organisations"
    label = "organisations"
