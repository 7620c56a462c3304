"""What the inbox keeps of its own: the programme's reply templates. Applications, messages
and their order belong to cases; a call leaves nothing here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.dossier import APPLICANT_LANGUAGES
from safepassage.programmes.models import Programme


class ReplyTemplate(models.Model):
    """A canned answer in one language, kept by the programme admin; operators insert it
    into a reply and edit it before sending."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    language = models.CharField(_("language"), max_length=8, choices=APPLICANT_LANGUAGES)
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=2000)
    # Who last wrote it, and when: shown to whoever puts it in a reply, who sends it as his.
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return self.title
