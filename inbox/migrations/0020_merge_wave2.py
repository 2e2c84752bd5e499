"""Joins the second wave's migrations, each written beside the others on top of 0018."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0019_assignment_snooze_rules"),
        ("inbox", "0019_languages"),
        ("inbox", "0019_media"),
        ("inbox", "0019_mentions_notifications"),
        ("inbox", "0019_profiles_requests"),
        ("inbox", "0019_retention"),
        ("inbox", "0019_webhooks"),
    ]

    operations = []
