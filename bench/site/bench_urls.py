"""The project's URLs plus the intake baseline: a minimal view that seals the same payload
and inserts it in one transaction. Served only by the bench server, never by the project."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from safepassage.cases.models import Case
from safepassage.cases.submission import new_reference
from safepassage.programmes.services import programme_by_slug
from safepassage.urls import handler400, handler403, handler404, handler500, urlpatterns
from safepassage.vault import crypto

FIELDS = ("intent", "direction", "group", "surname", "first_names", "message")


@require_POST
def baseline(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    assert programme is not None
    answers = {name: request.POST.get(name, "") for name in FIELDS}
    key = crypto.new_data_key()
    with transaction.atomic():
        Case.objects.create(
            programme=programme,
            reference=new_reference(),
            state="applied",
            # One data key sealed to one group's key: the bare cost the intake is measured
            # against (which seals one per field group).
            sealed_key=crypto.seal(bytes(programme.group_keys()["circumstances"].public_key), key),
            dossier=crypto.encrypt_json(key, answers),
        )
    return HttpResponse("stored")


urlpatterns = [path("bench/baseline/<slug:slug>/", baseline), *urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
