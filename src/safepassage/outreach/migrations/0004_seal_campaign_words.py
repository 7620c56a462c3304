"""Issue #22, point 7: the campaigns' names and areas, plain until now, sealed by the server
(vault/fields.py), as the sector words were (passage 0004)."""

from django.db import migrations

from safepassage.vault.fields import PREFIX, seal_text


def seal_campaign_words(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, name, area FROM outreach_campaign")
        for pk, *words in cursor.fetchall():
            if all(word.startswith(PREFIX) for word in words):
                continue
            cursor.execute(
                "UPDATE outreach_campaign SET name = %s, area = %s WHERE id = %s",
                [*(seal_text(word or "") for word in words), pk],
            )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_campaign_words_sealed")]

    operations = [migrations.RunPython(seal_campaign_words, migrations.RunPython.noop)]
