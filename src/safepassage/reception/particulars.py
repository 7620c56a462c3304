"""What a prisoner's record holds, field by field, as GC III and its Annex IV B name it.

Art. 17: a prisoner is bound to give only his surname, first names, rank, date of birth and
service number. Everything else is optional, and a refusal to give it is recorded with no
consequence: nothing in the system reads the refusals except the card and the export.
"""

from django.utils.translation import gettext_lazy as _

MANDATORY = {
    "surname": _("Surname"),
    "first_names": _("First names"),
    "rank": _("Rank"),
    "date_of_birth": _("Date of birth"),
    "service_number": _("Service number"),
}
OPTIONAL = {
    "power": _("Power on which the prisoner depends"),
    "father_first_name": _("Father's first name"),
    "place_of_birth": _("Place of birth"),
    "mother_maiden_name": _("Mother's maiden name"),
    "next_of_kin": _("Next of kin"),
    "family_address": _("Address of the family"),
    "health": _("State of health"),
    "facility": _("Present address (camp or hospital)"),
    "prisoner_number": _("Prisoner number"),
}
# Annex IV B, point 11.
HEALTH = {
    "good": _("Good health"),
    "not_wounded": _("Not wounded"),
    "recovered": _("Recovered"),
    "convalescent": _("Convalescent"),
    "sick": _("Sick"),
    "slightly_wounded": _("Slightly wounded"),
    "seriously_wounded": _("Seriously wounded"),
}
FIELDS = {**MANDATORY, **OPTIONAL}
