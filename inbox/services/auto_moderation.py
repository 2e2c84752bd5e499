"""Automatic moderation: each account's rules, and hiding what they catch as it is read.

A comment in which a citizen posts their own national identity number (CPR, personnummer,
fødselsnummer: ``inbox.composer.personal_data``, checked as the registries check them) or a
word on the account's spam/abuse list is hidden by the same exactly-once job an agent's hide
uses; agents see the rule that did it and undo it with one click (an ordinary unhide). Word
lists are matched as escaped literals: no pattern of a manager's can backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.base import ThreadKind
from inbox.audit import audit
from inbox.composer.personal_data import find_personal_data
from inbox.exceptions import InvalidInput, PermissionDenied
from inbox.models import (
    AuditAction,
    AutoModerationRule,
    ChannelAccount,
    Direction,
    Message,
    ModerationKind,
    ModerationReason,
)
from inbox.permissions.access import agent_of
from inbox.selectors.moderation import visible_account_get
from inbox.services.moderation import moderation_queue_locked

MAX_WORDS = 200
MAX_WORD_LENGTH = 100


def rule_verdict(rule: AutoModerationRule, text: str) -> ModerationReason | None:
    """Why ``text`` is to be hidden under ``rule``, or None."""
    if rule.hide_national_ids and any(f.is_national_id for f in find_personal_data(text)):
        return ModerationReason.PERSONAL_NUMBER
    folded = text.casefold()
    for word in rule.hide_words:
        if re.search(r"(?<!\w)" + re.escape(word.casefold()) + r"(?!\w)", folded):
            return ModerationReason.WORD_LIST
    return None


def auto_moderate_ingested(account: ChannelAccount, message_ids: Iterable[int]) -> int:
    """Queue a hide of every newly stored customer comment the account's rules catch. Runs in
    the ingest's transaction (the account is locked; the messages are its own new rows)."""
    rule = AutoModerationRule.objects.filter(account=account).first()
    if rule is None or not (rule.hide_national_ids or rule.hide_words):
        return 0
    candidates = Message.objects.select_related("conversation", "account").filter(
        pk__in=list(message_ids),
        direction=Direction.INBOUND,
        conversation__kind=ThreadKind.PUBLIC,
    )
    hidden = 0
    for message in candidates:
        reason = rule_verdict(rule, message.text)
        if reason is not None:
            moderation_queue_locked(
                message=message, kind=ModerationKind.HIDE, actor=None, reason=reason
            )
            hidden += 1
    return hidden


def _clean_words(words: object) -> list[str]:
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise InvalidInput(_("hide_words must be a list of words."), field="hide_words")
    if any("\x00" in w for w in words):  # PostgreSQL stores no NUL character
        raise InvalidInput(_("hide_words must be a list of words."), field="hide_words")
    cleaned = sorted({w.strip() for w in words if w.strip()})
    if len(cleaned) > MAX_WORDS:
        raise InvalidInput(
            _("At most %(n)s words.") % {"n": MAX_WORDS}, field="hide_words", limit=MAX_WORDS
        )
    if any(len(w) > MAX_WORD_LENGTH for w in cleaned):
        raise InvalidInput(
            _("A word or phrase may be at most %(n)s characters.") % {"n": MAX_WORD_LENGTH},
            field="hide_words",
        )
    return cleaned


@transaction.atomic(durable=True)
def auto_moderation_set(
    *, user: AbstractBaseUser, account_id: int, hide_national_ids: object, hide_words: object
) -> AutoModerationRule:
    actor = agent_of(user)
    account = visible_account_get(user=user, account_id=account_id)
    if not user.has_perm("inbox.change_automoderationrule"):
        raise PermissionDenied(_("Only managers and admins may change automatic moderation."))
    if not isinstance(hide_national_ids, bool):
        raise InvalidInput(_("hide_national_ids must be true or false."), field="hide_national_ids")
    words = _clean_words(hide_words)
    rule, _created = AutoModerationRule.objects.select_for_update().get_or_create(account=account)
    before = {"hide_national_ids": rule.hide_national_ids, "hide_words": list(rule.hide_words)}
    rule.hide_national_ids, rule.hide_words = hide_national_ids, words
    rule.updated_by, rule.updated_at = actor, timezone.now()
    rule.save()
    audit(
        AuditAction.AUTO_MODERATION_SET,
        actor=actor,
        object_type="channel_account",
        object_id=account.pk,
        team_id=account.team_id,
        details={"before": before, "after": {"hide_national_ids": hide_national_ids,
                                             "hide_words": words}},
    )  # fmt: skip
    return rule
