"""Issue #16, point 3 (schema, step 1 of 3): sector words become server-sealed text; receiving
units get key pairs, their liaisons grants; outcomes get a counter table; crossings get the
columns of the sealed plan. The data moves in 0004; the plain columns go in 0005 (separate
migrations, so PostgreSQL never alters a table with pending trigger events)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import safepassage.vault.fields


class Migration(migrations.Migration):
    dependencies = [
        ("passage", "0002_risk_factors_and_learning"),
        ("programmes", "0004_admins_hold_no_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Sector words: sealed by the server.
        migrations.RemoveConstraint(model_name="sector", name="sector_name_once"),
        migrations.AlterModelOptions(name="sector", options={"ordering": ["pk"]}),
        migrations.AlterField(
            model_name="sector",
            name="name",
            field=safepassage.vault.fields.ServerSealedTextField(
                max_length=120, verbose_name="name"
            ),
        ),
        migrations.AlterField(
            model_name="sector",
            name="description",
            field=safepassage.vault.fields.ServerSealedTextField(
                help_text="Landmarks on his side. Never the coordinates of our own positions.",
                max_length=1000,
                verbose_name="what the applicant will recognise",
            ),
        ),
        migrations.AlterField(
            model_name="sector",
            name="approach",
            field=safepassage.vault.fields.ServerSealedTextField(
                max_length=300,
                verbose_name="approach direction or landmark, for the receiving unit",
            ),
        ),
        migrations.AddField(
            model_name="sector",
            name="learning_era",
            field=models.PositiveIntegerField(default=0),
        ),
        # Receiving units: a key pair each.
        migrations.AddField(
            model_name="receivingunit",
            name="public_key",
            field=models.BinaryField(default=b"", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="receivingunit",
            name="sealed_private_key",
            field=models.BinaryField(default=b""),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="UnitKeyGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sealed_private_key", models.BinaryField()),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to="passage.receivingunit",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "user"), name="one_unit_grant")
                ]
            },
        ),
        migrations.CreateModel(
            name="SectorOutcomes",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("era", models.PositiveIntegerField()),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("arrived", "Arrived"),
                            ("turned_back", "Turned back"),
                            ("missing", "Missing"),
                            ("killed", "Killed"),
                            ("captured", "Captured by his own side"),
                        ],
                        max_length=16,
                    ),
                ),
                ("crossings", models.PositiveIntegerField(default=0)),
                ("predicted", models.FloatField(default=0.0)),
                (
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outcomes",
                        to="passage.sector",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("sector", "era", "outcome"), name="one_count_row"
                    )
                ]
            },
        ),
        # Crossings: the plan sealed, its plain columns gone.
        migrations.AddField(
            model_name="crossing",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="crossings",
                to="passage.receivingunit",
            ),
        ),
        migrations.AddField(model_name="crossing", name="night", field=models.DateField(null=True)),
        migrations.AddField(
            model_name="crossing", name="for_programme", field=models.BinaryField(null=True)
        ),
        migrations.AddField(
            model_name="crossing", name="for_unit", field=models.BinaryField(null=True)
        ),
        migrations.AddField(
            model_name="crossing", name="for_applicant", field=models.BinaryField(null=True)
        ),
        migrations.AddField(
            model_name="crossing", name="counted", field=models.BooleanField(default=False)
        ),
    ]
