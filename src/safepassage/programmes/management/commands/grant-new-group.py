"""`safepassage grant-new-group SLUG GROUP --to USERNAME`: a field group added after the
programme was made (the families group of issue #24) gets its key pair, sealed to one member
whose roles read it. Run once per programme by whoever runs the server, as create-programme
is; that holder then grants the key to colleagues in the web UI."""

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.programmes import key_grants
from safepassage.programmes.models import Programme


class Command(BaseCommand):
    help = "Make a new field group's key for an existing programme, sealed to its first holder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("group")
        parser.add_argument("--to", required=True, help="the first holder's username")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = Programme.objects.filter(slug=options["slug"]).first()
        holder = User.objects.filter(username=options["to"]).first()
        if programme is None or holder is None:
            raise CommandError("No such programme, or no such account.")
        try:
            key_grants.make_for_first_holder(programme, options["group"], holder)
        except key_grants.GroupKeyRefused as why:
            raise CommandError(str(why)) from why
        self.stdout.write(
            f"{programme.slug}: the {options['group']} key is made and granted to "
            f"{holder.username}, who grants it to colleagues in the web UI."
        )
