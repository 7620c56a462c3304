"""Issue #16, point 3 (step 3 of 3): the crossing's plain plan columns go; the unit and the
night become required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("passage", "0004_seal_plans")]

    operations = [
        migrations.RemoveIndex(model_name="crossing", name="passage_cro_sector__75aa44_idx"),
        migrations.AlterModelOptions(name="crossing", options={"ordering": ["night", "pk"]}),
        migrations.RemoveField(model_name="crossing", name="sector"),
        migrations.RemoveField(model_name="crossing", name="window_start"),
        migrations.RemoveField(model_name="crossing", name="window_end"),
        migrations.RemoveField(model_name="crossing", name="signal"),
        migrations.RemoveField(model_name="crossing", name="escort"),
        migrations.RemoveField(model_name="crossing", name="head_count"),
        migrations.RemoveField(model_name="crossing", name="survival_uncoordinated"),
        migrations.RemoveField(model_name="crossing", name="survival_coordinated"),
        migrations.AlterField(
            model_name="crossing",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="crossings",
                to="passage.receivingunit",
            ),
        ),
        migrations.AlterField(
            model_name="crossing", name="night", field=models.DateField(db_index=True)
        ),
        migrations.AddIndex(
            model_name="crossing",
            index=models.Index(fields=["unit", "status", "night"], name="crossing_unit_night"),
        ),
    ]
