"""Svar speaks Danish, Swedish and Norwegian in full (issue #18): every message id the code
uses is translated in each, nothing is fuzzy, and every translation keeps its placeholders.
A translation that breaks a placeholder fails the check."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from web.i18n.completeness import TRANSLATED, message_ids_in_code, problems
from web.i18n.po_file import read_catalogue

LOCALE = Path(settings.LOCALE_PATHS[0])


@pytest.fixture(scope="module")
def source():
    return message_ids_in_code(Path(settings.BASE_DIR))


def _catalogue(language: str):
    return read_catalogue(LOCALE / language / "LC_MESSAGES" / "django.po")


def test_the_code_has_hundreds_of_message_ids(source):
    ids = {entry.msgid for entry in source}
    assert len(ids) > 500
    assert {"Live", "My colleague %(name)s will take over from here.", "Customer's language"} <= ids


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_id_is_translated_without_fuzzy_entries_and_with_its_placeholders(
    source, language
):
    assert problems(source, _catalogue(language), language) == []


def test_the_command_passes_on_svars_catalogues():
    out = StringIO()
    call_command("svar_translations", stdout=out)
    assert "translated in da, sv, nb" in out.getvalue()


def test_a_missing_or_fuzzy_translation_is_reported(source):
    catalogue = _catalogue("sv")
    live = next(e for e in catalogue if e.msgid == "Live")
    live.flags.add("fuzzy")
    catalogue = [e for e in catalogue if e.msgid != "Sending…"]

    found = problems(source, catalogue, "sv")

    assert sorted(found) == ["sv: 'Live': fuzzy", "sv: 'Sending…': not translated"]


def test_a_broken_placeholder_makes_the_check_fail(tmp_path, settings):
    shutil.copytree(LOCALE, tmp_path / "locale")
    po = tmp_path / "locale" / "nb" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    broken = text.replace('msgstr "Tildelt %(name)s"', 'msgstr "Tildelt %(navn)s"')
    assert broken != text
    broken = broken.replace("svar. {name} og {initials}", "svar. {navn} og {initials}")
    po.write_text(broken, "utf-8")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    err = StringIO()

    with pytest.raises(CommandError, match="2 translation problems"):
        call_command("svar_translations", stderr=err)

    assert "nb: 'Assigned to %(name)s': placeholders ['%(navn)s'] differ from ['%(name)s']" in (
        err.getvalue()
    )
    assert "{initials} are filled in.': placeholders ['{initials}', '{navn}']" in err.getvalue()
