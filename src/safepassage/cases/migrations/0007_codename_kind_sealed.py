"""Codenames no longer say in plain which one is the duress codename (issue #16).

An existing credential cannot be sealed again here: that needs its codename. Its kind moves
to `legacy_duress` and it is sealed the new way at its next sign-in
(`cases.applicant_writers.enter_with_codename`); every credential made from now on has null."""

from django.db import migrations, models


def keep_the_old_kind(apps, schema_editor):
    Codename = apps.get_model("cases", "Codename")
    Codename.objects.filter(duress=True).update(legacy_duress=True)
    Codename.objects.filter(duress=False).update(legacy_duress=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_answered_questions"),
    ]

    operations = [
        migrations.AddField(
            model_name="codename",
            name="legacy_duress",
            field=models.BooleanField(default=None, null=True),
        ),
        migrations.RunPython(keep_the_old_kind, migrations.RunPython.noop),
        migrations.RemoveField(model_name="codename", name="duress"),
        migrations.RemoveField(model_name="codename", name="created_at"),
    ]
