"""Files for the outbound-media specs, made with Pillow or by hand (magic bytes)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from connectors.base import ThreadKind
from inbox.models import ChannelAccount, Conversation, Team
from inbox.services import messages_ingest
from tests.factories import ChannelAccountFactory, inbound


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("P", (32, 32), color) for color in (1, 2, 3)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def mp4_bytes(size: int = 4096) -> bytes:
    """The start of an MP4 (an ``ftyp`` box), padded: enough for the type judged by bytes."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + b"\x00" * (size - len(head))


def upload(name: str, data: bytes, claimed: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=claimed)


def facebook_conversation(team: Team, kind: ThreadKind, thread: str = "fb-1") -> Conversation:
    account: ChannelAccount = ChannelAccountFactory(
        team=team, platform="facebook", external_id="page-1", handle=""
    )
    messages_ingest(account_id=account.pk, messages=[inbound(thread=thread, kind=kind)])
    return Conversation.objects.get(account=account)


def jpeg_with_gps_bytes() -> bytes:
    from tests.media.media_support import jpeg_with_gps

    return jpeg_with_gps()
