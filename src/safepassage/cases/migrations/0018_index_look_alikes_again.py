"""Blind indexes now fold look-alike letters (vault/blind.py, the TR39 skeleton): the old
ones are dropped, and each case is indexed again under its group keys by the next session
that holds them (probes.index_pending), as after splitting a programme's key. No key is
needed here, and none is in the database."""

from django.db import migrations


def index_again(apps, schema_editor):
    apps.get_model("cases", "BlindIndex").objects.all().delete()
    apps.get_model("cases", "Case").objects.filter(shredded_at__isnull=True).update(indexed_at=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_sign_ins")]

    operations = [migrations.RunPython(index_again, migrations.RunPython.noop)]
