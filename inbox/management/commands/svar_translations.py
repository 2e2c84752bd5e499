"""``manage.py svar_translations``: is every string Svar shows translated in da, sv and nb,
with no fuzzy entry and the placeholders of its source? Exits 1, listing what is not."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from web.i18n.completeness import TRANSLATED, check


class Command(BaseCommand):
    help = "Check that every message id is translated in da, sv and nb, placeholders intact."

    def add_arguments(self, parser) -> None:
        parser.add_argument("languages", nargs="*", default=list(TRANSLATED))

    def handle(self, *args, languages: list[str], **options) -> None:
        found = check(tuple(languages))
        for problem in found:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"{len(found)} translation problems")
        self.stdout.write(f"Every message id is translated in {', '.join(languages)}.")
