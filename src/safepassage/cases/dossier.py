"""The fields of an application, grouped as the role table (programmes/roles.py) grants them."""

from django.utils.translation import gettext_lazy as _

# GC III Art. 17: the only identity a prisoner must give. All optional on the application.
IDENTITY = {
    "surname": _("Surname"),
    "first_names": _("First names"),
    "rank": _("Rank"),
    "date_of_birth": _("Date of birth"),
    "service_number": _("Service number"),
}
CIRCUMSTANCES = {
    "direction": _("Direction or area"),
    "group": _("Alone or in a group"),
    "group_size": _("Group size"),
    "unit": _("Unit"),
    "service_type": _("Service"),
    "equipment": _("Equipment they could bring"),
    "language": _("Language"),
}
