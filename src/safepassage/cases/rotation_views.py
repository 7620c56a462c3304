"""The programme key rotation's pages: the admin asks, a key holder carries it out in
batches from his session, watching the cases re-sealed (cases/rekeying.py)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.cases import rekeying
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes import session_keys, team
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import GROUP_LABELS, GROUPS, ROTATED_GROUPS, Role
from safepassage.programmes.services import programme_by_slug


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
        title=_("Ask for a rotation of the programme keys?"),
        consequence=_(
            "Key holders then make new keys and re-seal every case to them; the old keys, "
            "and a copy of the database with them, open no case afterwards. Do it when someone "
            "who held keys leaves."
        ),
        back=reverse("staff:people", args=[programme.slug]),
    )
    if step is not None:
        return step
    rekeying.request(programme, by=request.user)
    messages.success(request, _("The rotation is asked for: a key holder carries it out."))
    return redirect("staff:people", slug=programme.slug)


def _key_holder(request: StaffRequest, slug: str) -> tuple[Programme, Keyring]:
    programme = _programme(slug)
    keyring = session_keys.keyring(request, programme)
    if not keyring:
        raise Http404  # only a session holding keys can rotate them
    return programme, keyring


@staff_required
def rotation(request: StaffRequest, slug: str) -> HttpResponse:
    """Key holders carry the rotation out here; the admin who asked for it follows it (he
    holds no key, so he sees the progress and nothing to press)."""
    programme = _programme(slug)
    keyring = session_keys.keyring(request, programme)
    if not keyring and Role.ADMIN not in request.scope.roles_in(programme.pk):
        raise Http404  # only a session holding keys can rotate them
    progress = rekeying.progress(programme) if programme.rotating else None
    held = set(keyring) & set(session_keys.next_keyring(request, programme))
    context = {
        "programme": programme,
        "rotation": rekeying.open_rotation(programme),
        "progress": progress,
        "groups": [
            (
                GROUP_LABELS[group],
                progress.cases_done.get(group),
                progress.cases_total.get(group),
                progress.remaining[group],
                group in held,
            )
            for group in ROTATED_GROUPS
        ]
        if progress
        else [],
        "may_act": bool(keyring),
        "finished": rekeying.last_finished(programme),
        "yours_left": bool(progress and progress.left_in(held)),
        "others_left": team.group_labels(set(progress.left_in(set(GROUPS) - held)))
        if progress
        else [],
    }
    return render(request, "cases/rotation.html", context)


@require_POST
@staff_required
def rotation_step(request: StaffRequest, slug: str) -> HttpResponse:
    """Start, or re-seal the next batch of this session's groups; when nothing is left in
    any group, the rotation finishes."""
    programme, keyring = _key_holder(request, slug)
    here = reverse("cases:rotation", args=[programme.slug])
    try:
        if not programme.rotating:
            made = rekeying.start(programme, by=request.user, keyring=keyring)
            session_keys.put_keyring(request, programme, programme.key_generation + 1, made)
            return redirect(here)
        new = session_keys.next_keyring(request, programme)
        if not new:
            raise rekeying.RotationRefused(
                _("Sign in again: your session does not hold the new keys yet.")
            )
        if rekeying.step(programme, old=keyring, new=new).complete:
            rekeying.finish(programme, by=request.user)
            messages.success(request, _("The programme keys are rotated."))
    except Refused as why:
        return show_refusal(request, why.reason, here)
    return redirect(here)
