"""The programme key rotation's pages: the admin asks, a key holder carries it out in
batches from his session, watching the cases re-sealed (cases/rekeying.py)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.cases import rekeying
from safepassage.confirm import refused, second_step
from safepassage.programmes import keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.refused import Refused


def _programme(slug: str) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None:
        raise Http404
    return programme


@require_POST
@staff_required
def request_rotation(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    if Role.ADMIN not in request.scope.roles_in(programme.pk):
        raise Http404
    step = second_step(
        request,
        title=_("Ask for a rotation of the programme key?"),
        consequence=_(
            "A key holder then makes a new key and re-seals every case to it; the old key, "
            "and a copy of the database with it, opens no case afterwards. Do it when someone "
            "who held the key leaves."
        ),
        back=reverse("staff:people", args=[programme.slug]),
    )
    if step is not None:
        return step
    rekeying.request(programme, by=request.user)
    messages.success(request, _("The rotation is asked for: a key holder carries it out."))
    return redirect("staff:people", slug=programme.slug)


def _key_holder(request: StaffRequest, slug: str) -> tuple[Programme, bytes]:
    programme = _programme(slug)
    old_key = keys.private_key(request, programme)
    if old_key is None:
        raise Http404  # only a session holding the key can rotate it
    return programme, old_key


@staff_required
def rotation(request: StaffRequest, slug: str) -> HttpResponse:
    programme, _old_key = _key_holder(request, slug)
    context = {
        "programme": programme,
        "rotation": rekeying.open_rotation(programme),
        "progress": rekeying.progress(programme) if programme.next_public_key else None,
        "holds_next_key": keys.next_private_key(request, programme) is not None,
    }
    return render(request, "cases/rotation.html", context)


@require_POST
@staff_required
def rotation_step(request: StaffRequest, slug: str) -> HttpResponse:
    """Start, or re-seal the next batch; the last batch finishes the rotation."""
    programme, old_key = _key_holder(request, slug)
    here = reverse("cases:rotation", args=[programme.slug])
    try:
        if programme.next_public_key is None:
            made = rekeying.start(programme, by=request.user, old_key=old_key)
            keys.put_private_key(request, programme, programme.key_generation + 1, made)
            return redirect(here)
        new_key = keys.next_private_key(request, programme)
        if new_key is None:
            raise rekeying.RotationRefused(
                _("Sign in again: your session does not hold the new key yet.")
            )
        if rekeying.step(programme, old_key=old_key, new_key=new_key).complete:
            rekeying.finish(programme, by=request.user, old_key=old_key, new_key=new_key)
            messages.success(request, _("The programme key is rotated."))
    except Refused as why:
        return refused(request, why.reason, here)
    return redirect(here)
