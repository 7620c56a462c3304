"""`safepassage worker`: book the periodic tasks, then run django-tasks' database worker.

Run one or more on any machine that reaches the database; they share the queue safely.
Extra options go to `db_worker` (for example `--batch` to run what is due and exit).
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from safepassage.ops import tasks  # noqa: F401 (importing it registers the periodic tasks)
from safepassage.ops.schedule import ensure_scheduled


class Command(BaseCommand):
    help = "Book the periodic tasks and run the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        booked = ensure_scheduled()
        if booked:
            self.stdout.write("booked: " + ", ".join(booked))
        worker_options: dict[str, Any] = {
            "batch": options["batch"],
            "reload": False,
            "startup_delay": False,
        }
        if options["max_tasks"] is not None:
            worker_options["max_tasks"] = options["max_tasks"]
        call_command("db_worker", **worker_options)
