"""Issue #22, point 7 (schema, step 3 of 3): the plain campaign column goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_seal_case_campaigns")]

    operations = [migrations.RemoveField(model_name="case", name="campaign")]
