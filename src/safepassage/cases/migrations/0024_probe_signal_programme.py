"""Issue #25: a probe signal names its case's programme, and open signals have a partial index,
so the attention list starts from the few open signals instead of walking the cases."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_programme(apps, schema_editor):
    ProbeSignal = apps.get_model("cases", "ProbeSignal")
    Case = apps.get_model("cases", "Case")
    ProbeSignal.objects.update(
        programme_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("programme_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0023_shared_notebook_key"),
        ("programmes", "0011_tracing_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="probesignal",
            name="programme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programmes.programme",
            ),
        ),
        migrations.RunPython(fill_programme, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="probesignal",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programmes.programme",
            ),
        ),
        migrations.AddIndex(
            model_name="probesignal",
            index=models.Index(
                condition=models.Q(("cleared_at__isnull", True)),
                fields=["programme", "created_at"],
                name="open_probe_signals",
            ),
        ),
    ]
