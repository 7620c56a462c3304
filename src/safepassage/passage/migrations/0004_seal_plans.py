"""Issue #16, point 3 (data, step 2 of 3): a copy of the database reveals no crossing plan.

Sector words become server-sealed text; each receiving unit gets a key pair; each crossing's
plan (sector, window, signal, escort, head count, survival figures) is sealed to the
programme key and to its unit's key, and its plain columns are dropped. The applicant's copy
(under the case's data key, which no migration can open) is made at the next key holder's
sign-in (plans.complete_applicant_copies). Outcomes already recorded are counted into
SectorOutcomes, so learning and calibration keep them.
"""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

from safepassage.vault import crypto
from safepassage.vault.fields import seal_text


def seal_sector_words(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, name, description, approach FROM passage_sector")
        for pk, *words in cursor.fetchall():
            cursor.execute(
                "UPDATE passage_sector SET name = %s, description = %s, approach = %s "
                "WHERE id = %s",
                [*(seal_text(w) for w in words), pk],
            )


def give_units_keys(apps, schema_editor):
    for unit in apps.get_model("passage", "ReceivingUnit").objects.select_related("programme"):
        pair = crypto.new_keypair()
        unit.public_key = pair.public
        unit.sealed_private_key = crypto.seal(bytes(unit.programme.public_key), pair.private)
        unit.save(update_fields=["public_key", "sealed_private_key"])


def seal_plans(apps, schema_editor):
    Crossing = apps.get_model("passage", "Crossing")
    SectorOutcomes = apps.get_model("passage", "SectorOutcomes")
    Sector = apps.get_model("passage", "Sector")
    zone = ZoneInfo(settings.PASSAGE_WINDOW_ZONE)
    Sector.objects.exclude(learning_since=None).update(learning_era=1)
    crossings = Crossing.objects.select_related("sector__receiving_unit__programme")
    for crossing in crossings:
        sector = crossing.sector
        unit = sector.receiving_unit
        plan = json.dumps(
            {
                "sector_id": sector.pk,
                "window_start": crossing.window_start.isoformat(),
                "window_end": crossing.window_end.isoformat(),
                "signal": crossing.signal,
                "escort": crossing.escort,
                "head_count": crossing.head_count,
                "survival_uncoordinated": crossing.survival_uncoordinated,
                "survival_coordinated": crossing.survival_coordinated,
            }
        ).encode()
        crossing.unit = unit
        crossing.night = (crossing.window_start.astimezone(zone) - timedelta(hours=12)).date()
        crossing.for_programme = crypto.seal(bytes(unit.programme.public_key), plan)
        crossing.for_unit = crypto.seal(bytes(unit.public_key), plan)
        if crossing.status == "completed" and crossing.outcome not in ("", "missing"):
            since = sector.learning_since
            era = 1 if since is not None and crossing.outcome_at >= since else 0
            row, _ = SectorOutcomes.objects.get_or_create(
                sector=sector, era=era, outcome=crossing.outcome
            )
            row.crossings += 1
            row.predicted += crossing.survival_coordinated
            row.save()
            crossing.counted = True
        crossing.save()


class Migration(migrations.Migration):
    dependencies = [("passage", "0003_crossing_plan_sealed")]

    operations = [
        migrations.RunPython(seal_sector_words, migrations.RunPython.noop),
        migrations.RunPython(give_units_keys, migrations.RunPython.noop),
        migrations.RunPython(seal_plans, migrations.RunPython.noop),
    ]
