"""Issue #22, point 7 (data, step 2 of 3): each case's campaign sealed by the server (0 for
none, the same length either way) and counted into CampaignCount, by the staff's calendar
day the case came in and its state now."""

from collections import Counter

from django.db import migrations

from safepassage.lib import display
from safepassage.vault.fields import seal_text


def seal_case_campaigns(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CampaignCount = apps.get_model("cases", "CampaignCount")
    counted: Counter[tuple[int, object, str]] = Counter()
    rows = Case.objects.values_list("pk", "campaign_id", "created_at", "state").order_by("pk")
    with schema_editor.connection.cursor() as cursor:
        for pk, campaign_id, created_at, state in rows.iterator(chunk_size=2000):
            cursor.execute(
                "UPDATE cases_case SET campaign_sealed = %s WHERE id = %s",
                [seal_text(f"{campaign_id or 0:012d}"), pk],
            )
            if campaign_id:
                counted[(campaign_id, display.calendar_day(created_at), state)] += 1
    CampaignCount.objects.bulk_create(
        CampaignCount(campaign_id=campaign_id, day=day, state=state, count=n)
        for (campaign_id, day, state), n in counted.items()
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_campaign_sealed")]

    operations = [migrations.RunPython(seal_case_campaigns, migrations.RunPython.noop)]
