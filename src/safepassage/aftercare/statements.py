"""The words of each consent, as the person reads them in his own language before agreeing.

They are stored with the consent (encrypted), so later changes to these texts never alter what
someone agreed to.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from safepassage.aftercare.models import EXCHANGE_LIST_CHOICES, PATHWAYS, Consent
from safepassage.lib import rights


def statement(kind: str, language: str) -> str:
    with translation.override(language):
        free = _(
            "I make this choice freely. Nobody has forced me or promised me anything for it. "
            "I may withdraw it at any time, and withdrawing has no effect on how I am treated."
        )
        texts = {
            Consent.Kind.EXCHANGE: _(
                "I ask to be returned to my country in an exchange of prisoners."
            ),
            Consent.Kind.STAYING: _(
                "I ask to stay, and to be helped to apply for residence or citizenship."
            ),
            Consent.Kind.ASYLUM: _("I ask to be helped to seek asylum in a third country."),
            Consent.Kind.VOLUNTEER: _(
                "I wish to serve as a volunteer. Nobody may compel me to serve against my own "
                "country. Refusing changes nothing in my detention, my capture card or an "
                "exchange. Service cannot begin earlier than %(days)s days after my "
                "registration."
            )
            % {"days": settings.VOLUNTEER_COOLING_OFF_DAYS},
            Consent.Kind.PUBLICATION: _(
                "I agree that my image and details may be published by the programme. "
                "Without this consent nothing about me is published."
            ),
            Consent.Kind.ON_EXCHANGE_LISTS: _(
                "I ask that my name be put on the lists for exchanges of prisoners."
            ),
            Consent.Kind.OFF_EXCHANGE_LISTS: _(
                "I ask that my name be on no list for an exchange of prisoners."
            ),
        }
        text = f"{texts[Consent.Kind(kind)]} {free}"
        if kind in PATHWAYS or kind in EXCHANGE_LIST_CHOICES:
            # What he read first, by its version, so a later version never rewrites it.
            text += " " + _(
                "Before choosing I was shown «Your rights and the risks», version of %(version)s."
            ) % {"version": rights.version_label()}
        return text
