"""A schedule change recomputes business time in a job: the schedule says which change the
figures follow (``revision``) and whether a recompute is still due (``recomputing_since``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0012_conversation_tag_recent"),
    ]

    operations = [
        migrations.AddField(
            model_name="businessschedule",
            name="revision",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="businessschedule",
            name="recomputing_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
