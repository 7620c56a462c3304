"""`safepassage create-programme SLUG "Name" --admin USERNAME --key-holder USERNAME=ROLE[,ROLE]…`:
the one step of a new installation that needs a shell. It prints single-use links (72 hours):
the first admin's, and one per first key holder, each carrying the keys of the field groups
his roles read (wrapped under its token; nobody else could ever grant them). Every field group
must have a first key holder, or its key would be lost at once. Everything after that is in
the web UI."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safepassage.lib.acts import Refused
from safepassage.programmes import invitations
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import GROUPS, KEY_HOLDERS, Role, groups_of
from safepassage.programmes.services import create_programme


def key_holder(text: str) -> tuple[str, list[str]]:
    """USERNAME=ROLE[,ROLE] (a key-holding role by default: coordinator)."""
    username, _, roles = text.partition("=")
    chosen = [role.strip() for role in roles.split(",") if role.strip()] or [Role.COORDINATOR]
    holding = {str(role) for role in KEY_HOLDERS}
    if not username or not set(chosen) <= holding:
        raise CommandError(
            f"--key-holder wants USERNAME=ROLE[,ROLE] with roles among {', '.join(sorted(holding))}"
        )
    return username, chosen


class Command(BaseCommand):
    help = "Create a programme; print its first admin's and first key holders' links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--admin", required=True, help="the first admin's username")
        parser.add_argument(
            "--key-holder",
            action="append",
            required=True,
            help="USERNAME=ROLE[,ROLE]; repeat until every field group has a holder",
        )
        parser.add_argument(
            "--site", default="https://staff.example.org", help="the staff site's address"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Programme.objects.filter(slug=options["slug"]).exists():
            raise CommandError("A programme with that slug exists already.")
        holders = [key_holder(text) for text in options["key_holder"]]
        names = [options["admin"].lower()] + [username.lower() for username, _ in holders]
        if len(set(names)) != len(names):
            raise CommandError("The admin holds no key, and each key holder is one person.")
        covered = set().union(*(groups_of(roles) for _, roles in holders))
        if uncovered := [group for group in GROUPS if group not in covered]:
            raise CommandError(
                "Nobody would hold the keys of: "
                f"{', '.join(uncovered)}. Add key holders whose roles read them "
                "(for example reception, aftercare, volunteer and tracing)."
            )
        try:
            with transaction.atomic():
                programme, keyring = create_programme(options["slug"], options["name"])
                admin = invitations.invite(programme, options["admin"], [Role.ADMIN], by=None)
                issued = [
                    (
                        username,
                        invitations.invite(programme, username, roles, by=None, keyring=keyring),
                    )
                    for username, roles in holders
                ]
        except Refused as why:
            raise CommandError(why.reason) from why
        site = options["site"].rstrip("/")
        lines = [
            f"Programme {programme.slug} created. One link per person, each usable once within",
            "72 hours. Pass each on through a separate channel:",
            f"  admin       {options['admin']}: {site}/ru/staff/join/{admin.token}/",
        ]
        lines += [
            f"  key holder  {username}: {site}/ru/staff/join/{link.token}/"
            for username, link in issued
        ]
        lines += [
            "Each key holder's link carries the keys of what his roles read: if one expires",
            "unused, those keys are lost with it; create the programme again under another slug.",
        ]
        self.stdout.write("\n".join(lines))
