"""Every string the browser modules show, translated on the server and handed to the page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from connectors.base import Platform
from web.templatetags.svar import platform_label


def js_strings() -> dict[str, str]:
    return {
        "minutes": pgettext("waiting time", "%(n)s min"),
        "hours": pgettext("waiting time", "%(n)s h"),
        "days": pgettext("waiting time", "%(n)s d"),
        "justNow": pgettext("waiting time", "now"),
        "public": _("Public"),
        "private": _("Private"),
        "unassigned": _("Unassigned"),
        **{f"platform_{p.value}": platform_label(p.value) for p in Platform},
        "waiting": _("Waiting %(time)s"),
        "slaDue": _("SLA due in %(time)s"),
        "slaBreached": _("SLA breached"),
        "counter": _("%(length)s / %(limit)s characters"),
        "overBy": _("%(n)s over the limit"),
        "tooLong": _(
            "This reply is %(length)s characters as the platform counts them (signature "
            "included); the limit is %(limit)s. Shorten it to send."
        ),
        "empty": _("Write a reply first."),
        "sending": _("Sending…"),
        "sent": _("Reply queued for sending."),
        "delivered": _("Reply sent."),
        "deliveryFailed": _("The reply could not be sent; see the thread."),
        "newMessage": _("New message from %(name)s"),
        "noteSaved": _("Note added."),
        "viewing": _("%(name)s is viewing"),
        "typingReply": _("%(name)s is typing a reply"),
        "typingNote": _("%(name)s is writing a note"),
        "collisionTyping": _("%(name)s is typing a reply to this conversation right now."),
        "collisionAssigned": _("This conversation is assigned to %(name)s."),
        "collisionReplied": _("%(name)s replied to this conversation while you were writing."),
        "confirmDelete": _("Delete this comment on the platform? This cannot be undone."),
        "kind_cpr": _("a Danish CPR number"),
        "kind_personnummer": _("a Swedish personnummer"),
        "kind_fodselsnummer": _("a Norwegian fødselsnummer"),
        "kind_email": _("an e-mail address"),
        "kind_phone": _("a phone number"),
        "guardFound": _("This public reply contains %(what)s."),
        "guardFoundMail": _("This e-mail contains %(what)s."),
        "stale": _(
            "The conversation changed while you were writing; it has been updated. "
            "Check it and send again."
        ),
        "offline": _("Live updates paused; reconnecting…"),
        "online": _("Live"),
        **_guideline_strings(),
        **_team_flow_strings(),
        "newConversations": _("The list changed; it has been updated."),
        "error": _("Something went wrong: %(message)s"),
        "retrying": _("Sending again…"),
        "loadFailed": _("Could not load the conversation."),
        "newConversation": _("New conversation from %(name)s"),
        "notePlaceholder": _("Write an internal note for the team… (Ctrl+Enter saves)"),
        "addNote": _("Add note"),
        "send": _("Send"),
        "health_healthy": pgettext("account health", "Healthy"),
        "health_degraded": pgettext("account health", "Degraded"),
        "health_unhealthy": pgettext("account health", "Unhealthy"),
    } | _attachment_strings()


def _guideline_strings() -> dict[str, str]:
    """The composer's verdict and the approval states (issue #16)."""
    return {
        "action_warn": _("Note"),
        "action_approval": _("Needs approval"),
        "action_block": _("Not allowed"),
        "sendForApproval": _("Send for approval"),
        "awaitingApproval": _("Saved: it waits for a colleague's approval before it is posted."),
    }


def _team_flow_strings() -> dict[str, str]:
    """Mentions, the notification centre, a guest's withdrawn access, snooze (issue #17)."""
    return {
        "snoozeEnded": _("%(name)s is back from snooze."),
        "accessWithdrawn": _("Your access to this conversation was withdrawn."),
        "mentionOtherTeam": _("another team"),
        "mentionNobody": _("No colleague by that name."),
        "notificationsTitle": _("Svar"),
        "notifUnread": _("unread"),
        "notif_mention": _("%(name)s mentioned you in a note"),
        "notif_assigned_to_me": _("%(name)s assigned a conversation to you"),
        "notif_customer_wrote_again": _("A customer wrote again in your conversation"),
        "notif_reply_failed": _("A reply of yours could not be sent"),
        "notif_reply_sent_back": _("%(name)s sent your reply back"),
    }


def _attachment_strings() -> dict[str, str]:
    """Files attached to a reply (issue #13)."""
    return {
        "attachUploading": _("Uploading %(name)s…"),
        "attachRemove": _("Remove %(name)s"),
        "attachRemoved": _("%(name)s removed."),
        "attachRemoveFailed": _("%(name)s could not be removed: %(reason)s"),
        "attachRefused": _("%(name)s cannot be attached: %(reason)s"),
        "attachDropped": _("Drop the file to attach it to the reply."),
        "attachNotes": _("Notes cannot carry files; switch to a reply to attach."),
        "attachKind_photo": _("Photo"),
        "attachKind_animated_gif": _("GIF"),
        "attachKind_video": _("Video"),
        "attachKind_file": _("File"),
    }
