"""Django admin for what admins edit by hand: canned responses and channel accounts.

A channel account's access token is write-only here: the form offers an empty field to set a
new one, and the page shows only where the token comes from, never the token.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from inbox.credentials import MASK, credentials_source
from inbox.exceptions import InvalidInput
from inbox.models import CannedResponse, ChannelAccount
from inbox.services.credentials import channel_account_set_token_locked, clean_token


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "language")
    list_filter = ("team", "language")
    search_fields = ("title", "body")


class ChannelAccountForm(forms.ModelForm):
    base_url = forms.URLField(required=False, assume_scheme="https")
    new_token = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave empty to keep the current token. It is stored encrypted and never "
        "shown again.",
    )

    class Meta:
        model = ChannelAccount
        fields = ("display_name", "handle", "team", "base_url", "poll_interval_seconds",
                  "is_active", "credentials_ref")  # fmt: skip

    def clean_new_token(self) -> str:
        token = self.cleaned_data.get("new_token") or ""
        if not token:
            return ""
        try:
            return clean_token(token)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ("display_name", "platform", "team", "health", "token")
    list_filter = ("platform", "team", "health")
    readonly_fields = ("platform", "external_id", "token", "credentials_updated_at", "health",
                       "last_error")  # fmt: skip

    @admin.display(description="Access token")
    def token(self, account: ChannelAccount) -> str:
        source = credentials_source(account)
        return f"{MASK} ({source})" if account.credentials_encrypted else source

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are connected with manage.py svar_add_account

    def save_model(
        self, request: HttpRequest, obj: ChannelAccount, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        token = form.cleaned_data.get("new_token")
        if token:
            channel_account_set_token_locked(user=request.user, account=obj, token=token)
