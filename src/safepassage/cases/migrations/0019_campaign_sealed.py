"""Issue #22, point 7 (schema, step 1 of 3): a case's campaign becomes server-sealed, and the
campaign figures get counters. The data moves in 0020; the plain column goes in 0021."""

import django.db.models.deletion
from django.db import migrations, models

import safepassage.vault.fields


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_index_look_alikes_again"),
        ("outreach", "0004_seal_campaign_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="campaign_sealed",
            field=safepassage.vault.fields.ServerSealedTextField(null=True),
        ),
        migrations.CreateModel(
            name="CampaignCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("inquiry", "Inquiry"),
                            ("applied", "Applied"),
                            ("verifying", "Verifying"),
                            ("verified", "Verified"),
                            ("dormant", "Dormant"),
                            ("scheduled", "Scheduled"),
                            ("in_transit", "In transit"),
                            ("received", "Received"),
                            ("registered", "Registered"),
                            ("pathway_chosen", "Pathway chosen"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                            ("rejected", "Rejected"),
                            ("compromised", "Compromised"),
                            ("lost", "Lost in the crossing"),
                            ("answered", "Question answered"),
                        ],
                        max_length=16,
                    ),
                ),
                ("count", models.BigIntegerField(default=0)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="outreach.campaign",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "day", "state"), name="one_count_per_campaign_day_state"
                    )
                ],
            },
        ),
    ]
