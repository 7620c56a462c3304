"""`safepassage create-programme SLUG "Name" --admin USERNAME --key-holder USERNAME`: the one
step of a new installation that needs a shell. It prints two single-use links (72 hours):
the first admin's, and the first key holder's, which carries the programme key (wrapped
under its token; nobody else could ever grant it). Everything after that is in the web UI."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safepassage.programmes import team
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import KEY_HOLDERS, Role
from safepassage.programmes.services import create_programme
from safepassage.refused import Refused


class Command(BaseCommand):
    help = "Create a programme; print its first admin's and first key holder's links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--admin", required=True, help="the first admin's username")
        parser.add_argument("--key-holder", required=True, help="the first key holder's username")
        parser.add_argument(
            "--key-holder-role",
            default=Role.COORDINATOR.value,
            choices=sorted(str(role) for role in KEY_HOLDERS),
        )
        parser.add_argument(
            "--site", default="https://staff.example.org", help="the staff site's address"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Programme.objects.filter(slug=options["slug"]).exists():
            raise CommandError("A programme with that slug exists already.")
        if options["admin"].lower() == options["key_holder"].lower():
            raise CommandError("The admin holds no programme key: name another person.")
        try:
            with transaction.atomic():
                programme, private_key = create_programme(options["slug"], options["name"])
                admin = team.invite(programme, options["admin"], [Role.ADMIN], by=None)
                holder = team.invite(
                    programme,
                    options["key_holder"],
                    [options["key_holder_role"]],
                    by=None,
                    programme_key=private_key,
                )
        except Refused as why:
            raise CommandError(why.reason) from why
        site = options["site"].rstrip("/")
        self.stdout.write(
            "\n".join(
                [
                    f"Programme {programme.slug} created. Two links, each for one person,",
                    "each usable once within 72 hours. Pass each on through a separate channel:",
                    f"  admin       {options['admin']}: {site}/ru/staff/join/{admin.token}/",
                    f"  key holder  {options['key_holder']}: {site}/ru/staff/join/{holder.token}/",
                    "The key holder's link carries the programme key: if it expires unused, the",
                    "key is lost with it; create the programme again under another slug.",
                ]
            )
        )
