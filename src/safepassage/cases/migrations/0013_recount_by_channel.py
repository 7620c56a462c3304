"""Counters per state and channel, counted again from the cases (0012 made every existing
counter a website one); waiting cases get the time they started waiting."""

from django.db import migrations
from django.db.models import Count, F


def recount(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    StateCount = apps.get_model("cases", "StateCount")
    StateCount.objects.all().delete()
    rows = Case.objects.values_list("programme_id", "state", "channel").annotate(n=Count("pk"))
    StateCount.objects.bulk_create(
        StateCount(programme_id=programme_id, state=state, channel=channel, count=n)
        for programme_id, state, channel, n in rows
    )
    Case.objects.filter(awaiting_reply=True).update(awaiting_since=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_inbox_order_and_channel_counts")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
