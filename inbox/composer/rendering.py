"""What the customer will see: the reply body plus the agent's signature, and its length.

One function renders it, so the composer preview, the stored message and the limit check can
never disagree (docs/architecture.md §7). X counts weighted characters (URLs 23, emoji and CJK
2, after NFC normalisation) as ``twitter-text-parser`` does; every other channel counts code
points.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from twitter_text import parse_tweet

from connectors.base import Platform, ThreadKind
from inbox.composer.visible import has_visible_text, without_direction_controls

# (platform, kind) -> the most the platform accepts in one message.
CHANNEL_LIMITS: dict[tuple[str, str], int] = {
    (Platform.X, ThreadKind.PUBLIC): 280,
    (Platform.X, ThreadKind.PRIVATE): 10_000,
    (Platform.FACEBOOK, ThreadKind.PUBLIC): 8_000,
    (Platform.FACEBOOK, ThreadKind.PRIVATE): 2_000,
    (Platform.EMAIL, ThreadKind.PRIVATE): 100_000,
    (Platform.EMAIL, ThreadKind.PUBLIC): 100_000,
    (Platform.INSTAGRAM, ThreadKind.PUBLIC): 2_200,  # a comment
    (Platform.INSTAGRAM, ThreadKind.PRIVATE): 1_000,  # a DM
}

DEFAULT_SIGNATURES: dict[str, str] = {
    Platform.X: " /{name}",
    Platform.FACEBOOK: "\n\nVenlig hilsen {name}",
    Platform.EMAIL: "\n\nVenlig hilsen\n{name}",
    Platform.INSTAGRAM: " /{name}",
}


@dataclass(frozen=True, slots=True)
class RenderedReply:
    body: str
    signature: str
    text: str  # body + signature: exactly what is posted
    length: int  # as the platform counts it
    limit: int

    @property
    def fits(self) -> bool:
        return 0 < self.length <= self.limit


def channel_limit(platform: str, kind: str) -> int:
    return CHANNEL_LIMITS[(Platform(platform), ThreadKind(kind))]


def measure(text: str, platform: str, kind: str) -> int:
    if platform == Platform.X and kind == ThreadKind.PUBLIC:
        return parse_tweet(unicodedata.normalize("NFC", text)).weightedLength
    return len(unicodedata.normalize("NFC", text))


def render_signature(template: str, *, public_name: str, initials: str) -> str:
    # str.replace rather than str.format: a stray brace in a signature must not raise.
    return template.replace("{name}", public_name).replace("{initials}", initials)


def render_reply(
    body: str,
    *,
    platform: str,
    kind: str,
    public_name: str,
    initials: str,
    signature_template: str | None,
    files: bool = False,
) -> RenderedReply:
    """Render a reply as posted. Public replies are always signed, private ones when set.

    Direction controls are dropped (body and signature); a body with nothing visible is empty
    (``visible.py``). ``files``: the reply carries attachments, so it may have no text of its
    own; it still carries its author's name (the default signature where the agent set none on
    a private channel), and the posted text is the signature alone, without its leading space.
    """
    body = unicodedata.normalize("NFC", without_direction_controls(body).strip())
    if not has_visible_text(body):
        body = ""
    template = signature_template
    signed = kind == ThreadKind.PUBLIC or platform == Platform.EMAIL or (files and not body)
    if not template and signed:
        template = DEFAULT_SIGNATURES[Platform(platform)]
    signature = without_direction_controls(
        render_signature(template or "", public_name=public_name, initials=initials)
    )
    text = body + signature if body else (signature.strip() if files else "")
    return RenderedReply(
        body=body,
        signature=signature,
        text=text,
        length=measure(text, platform, kind) if text else 0,
        limit=channel_limit(platform, kind),
    )
