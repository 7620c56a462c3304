"""A programme admin (or a liaison) no longer holds the programme key (issue #17): the grants
of people with no key-holding role in that programme are deleted."""

from django.db import migrations

KEY_HOLDING_ROLES = ("intake", "verifier", "coordinator", "reception", "aftercare", "volunteer")


def drop_grants_nobody_needs(apps, schema_editor):
    KeyGrant = apps.get_model("programmes", "KeyGrant")
    Membership = apps.get_model("programmes", "Membership")
    for grant in KeyGrant.objects.all():
        holds = Membership.objects.filter(
            user_id=grant.user_id, programme_id=grant.programme_id, role__in=KEY_HOLDING_ROLES
        ).exists()
        if not holds:
            grant.delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0003_staff_key_pairs")]

    operations = [migrations.RunPython(drop_grants_nobody_needs, migrations.RunPython.noop)]
