"""Media reasons as codes (docs/media.md): ``unavailable_code`` names why a media is gone, read
in each agent's language; ``unavailable_reason`` keeps only the technical detail.

Rows written before the codes hold the fetch job's English sentence. Those the job wrote are
split into code and detail here; a sentence of any other shape keeps no code and is shown
as it was stored (nothing is lost, nothing is guessed).
"""

import re

from django.db import migrations, models

ATTEMPTS = re.compile(r"^(?P<detail>.*) \(after \d+ attempts\)$", re.S)
GONE = re.compile(r"^The platform no longer has it \((?P<detail>.*)\)\.$", re.S)
REFUSED = re.compile(r"^Refused: (?P<detail>.*?)\.?$", re.S)
# The job's refusals, by the start of their detail (inbox/media: download, images, video).
REFUSALS = [
    ("sent as an image, but the file is ", "not_an_image"),
    ("the image is too large in pixels", "image_bomb"),
    ("not a readable image", "unreadable_image"),
    ("the video could not be read within", "video_timeout"),
    ("not a playable video", "unplayable_video"),
    ("more than the limit of", "too_large"),
]
TOO_LARGE = re.compile(r"^\d+ bytes, over the limit of \d+$")


def legacy_reason(text):
    """(code, detail) for a reason stored as an English sentence; ("", text) if unknown."""
    if ATTEMPTS.match(text):
        return "gave_up", text
    if match := GONE.match(text):
        return "gone", match["detail"]
    if match := REFUSED.match(text):
        detail = match["detail"]
        if TOO_LARGE.match(detail):
            return "too_large", detail
        for start, code in REFUSALS:
            if detail.startswith(start):
                return code, detail
        return "refused", detail
    return "", text


def split_reasons(apps, schema_editor):
    Media = apps.get_model("inbox", "Media")
    rows = Media.objects.filter(state="unavailable", unavailable_code="").exclude(
        unavailable_reason=""
    )
    for media in rows.only("pk", "unavailable_reason").iterator(chunk_size=2000):
        code, detail = legacy_reason(media.unavailable_reason)
        if code:
            Media.objects.filter(pk=media.pk).update(
                unavailable_code=code, unavailable_reason=detail
            )


def join_reasons(apps, schema_editor):
    """Back to one English sentence per row, as the job wrote them before the codes."""
    Media = apps.get_model("inbox", "Media")
    for media in Media.objects.exclude(unavailable_code="").iterator(chunk_size=2000):
        detail = media.unavailable_reason
        if media.unavailable_code == "gone":
            text = f"The platform no longer has it ({detail})."
        elif media.unavailable_code == "gave_up":
            text = detail
        else:
            text = f"Refused: {detail}."
        Media.objects.filter(pk=media.pk).update(unavailable_reason=text)


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0031_mail_oauth_token_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='media',
            name='unavailable_code',
            field=models.CharField(blank=True, choices=[('gone', 'The platform no longer has this file.'), ('too_large', 'The file is larger than Svar keeps.'), ('not_an_image', 'It was sent as an image, but the file is not one.'), ('unreadable_image', 'The image could not be read.'), ('image_bomb', 'The image has too many pixels to open safely.'), ('unplayable_video', 'The video could not be played.'), ('video_timeout', 'The video could not be read in time.'), ('refused', 'The platform refused to hand over the file.'), ('gave_up', 'The file could not be fetched: every attempt failed.')], db_default='', default='', max_length=24),
        ),
        migrations.RunPython(split_reasons, join_reasons),
    ]
