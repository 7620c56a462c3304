"""Keys per field group (issue #17) for programmes made before them.

Each programme gets a key pair per field group, made here. Needing no secret, the private
halves are sealed at once to the key pair of every member whose roles read the group, and then
forgotten. The programme's one old key and its grants stay until a key holder's next sign-in,
which re-encrypts the old cases under per-group data keys (cases/splitting.py) and then deletes
them. New applications use the group keys from the moment this migration has run.

A member who has no key pair yet (he has not signed in since key pairs were introduced) gets
no group key here: he is shown as waiting, and a key holder grants it.
"""

from django.db import migrations
from nacl.public import PrivateKey, PublicKey, SealedBox

# roles.FIELD_GROUPS as it stands with this migration (the table may change later; this
# migration must not).
FIELD_GROUPS = {
    "identity": {"verifier", "reception", "aftercare"},
    "circumstances": {"intake", "verifier", "coordinator", "aftercare"},
    "messages": {"intake", "verifier", "coordinator"},
    "notes": {"intake", "verifier", "coordinator", "reception", "aftercare"},
    "plan": {"coordinator", "reception"},
    "custody": {"reception", "aftercare"},
    "aftercare": {"aftercare"},
    "volunteer": {"volunteer"},
}


def make_group_keys(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    GroupKey = apps.get_model("programmes", "GroupKey")
    KeyGrant = apps.get_model("programmes", "KeyGrant")
    Membership = apps.get_model("programmes", "Membership")
    StaffKey = apps.get_model("programmes", "StaffKey")
    publics = dict(StaffKey.objects.values_list("user_id", "public_key"))
    for programme in Programme.objects.all():
        if GroupKey.objects.filter(programme=programme).exists():
            continue
        roles: dict[int, set[str]] = {}
        for user_id, role in Membership.objects.filter(
            programme=programme, user__is_active=True
        ).values_list("user_id", "role"):
            roles.setdefault(user_id, set()).add(role)
        for group, readers in FIELD_GROUPS.items():
            private = PrivateKey.generate()
            GroupKey.objects.create(
                programme=programme, group=group, public_key=bytes(private.public_key)
            )
            for user_id, his_roles in roles.items():
                if his_roles & readers and user_id in publics:
                    sealed = SealedBox(PublicKey(bytes(publics[user_id]))).encrypt(bytes(private))
                    KeyGrant.objects.create(
                        user_id=user_id,
                        programme=programme,
                        group=group,
                        sealed_private_key=bytes(sealed),
                    )
            del private


class Migration(migrations.Migration):
    dependencies = [("programmes", "0008_keys_per_field_group")]

    operations = [migrations.RunPython(make_group_keys, migrations.RunPython.noop)]
