"""Pages for the people of a programme: the admin's staff list, invitations, roles and
off-boarding; the key holder's grants; the invitee's join steps; each person's sessions.
Thin: check the role, call one function of team.py, render."""

import base64
from typing import Any

import segno
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes import invitations, key_grants, session_keys, team
from safepassage.programmes import sign_in as staff_sign_in
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.forms import (
    InviteForm,
    OwnPasswordForm,
    RecoveryCodeField,
    RolesForm,
    TokenForm,
)
from safepassage.programmes.models import Invitation, Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.programmes.sessions import EnrolmentSession, StaffBrowserSession


def _admin_of(request: StaffRequest, slug: str) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None or Role.ADMIN not in request.scope.roles_in(programme.pk):
        raise Http404
    return programme


def _member(programme: Programme, user_id: int) -> User:
    user = get_object_or_404(User, pk=user_id)
    if not team.members_of(programme, user):
        raise Http404
    return user


# --- The programme admin ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def people(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _admin_of(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = invitations.invite(
                programme,
                form.cleaned_data["username"],
                form.cleaned_data["roles"],
                by=request.user,
            )
        except Refused as why:
            form.add_error("username", why.reason)
        else:
            return _show_link(request, programme, issued)
    context = {
        "programme": programme,
        "team": team.team_of(programme),
        "former": team.former_members(programme),
        "form": form,
        "resets_to_confirm": invitations.resets_to_confirm(programme, request.user, timezone.now()),
        "one_admin": team.has_one_admin(programme),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/people.html", context, status=status)


def _show_link(
    request: StaffRequest, programme: Programme, issued: invitations.Issued
) -> HttpResponse:
    """The link, once: not stored, so this page is the only place it is ever shown."""
    link = request.build_absolute_uri(reverse("staff:join", args=[issued.token]))
    response = render(
        request,
        "programmes/invitation.html",
        {"programme": programme, "invitation": issued.invitation, "link": link},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def person(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    programme = _admin_of(request, slug)
    user = _member(programme, user_id)
    roles = sorted(team.members_of(programme, user))
    form = RolesForm(request.POST or None, initial={"roles": roles})
    if request.method == "POST" and form.is_valid():
        try:
            team.change_roles(programme, user, form.cleaned_data["roles"], by=request.user)
        except Refused as why:
            return show_refusal(request, why.reason, request.path)
        return redirect("staff:people", slug=programme.slug)
    member = next(m for m in team.team_of(programme) if m.user.pk == user.pk)
    context = {"programme": programme, "member": member, "form": form}
    return render(request, "programmes/person.html", context, status=400 if form.errors else 200)


@require_POST
@staff_required
def deactivate(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    programme = _admin_of(request, slug)
    user = _member(programme, user_id)
    back = reverse("staff:person", args=[programme.slug, user.pk])
    step = second_step(
        request,
        title=_("Deactivate %(name)s?") % {"name": user.username},
        consequence=_(
            "His roles and keys in this programme go, and every session of his ends at its "
            "next request. If he held programme keys, ask for a key rotation afterwards "
            "(on the people page): until it is done, a copy of the database and his password "
            "still open what his keys opened."
        ),
        back=back,
    )
    if step is not None:
        return step
    try:
        team.deactivate(programme, user, by=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, back)
    return redirect("staff:people", slug=programme.slug)


@require_POST
@staff_required
def reset(request: StaffRequest, slug: str, user_id: int, purpose: str) -> HttpResponse:
    programme = _admin_of(request, slug)
    user = _member(programme, user_id)
    if purpose not in (Invitation.Purpose.SECOND_FACTOR, Invitation.Purpose.PASSWORD):
        raise Http404
    try:
        issued = invitations.reset_link(programme, user, purpose, by=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, reverse("staff:person", args=[slug, user.pk]))
    return _show_link(request, programme, issued)


@require_POST
@staff_required
def confirm_reset(request: StaffRequest, slug: str, invitation_id: int) -> HttpResponse:
    """A second admin confirms a colleague's password reset."""
    programme = _admin_of(request, slug)
    try:
        invitations.confirm_reset(programme, invitation_id, by=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, reverse("staff:people", args=[slug]))
    return redirect("staff:people", slug=programme.slug)


# --- A key holder executes what the admin decided --------------------------------------------


@require_POST
@staff_required
def grant(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None:
        raise Http404
    keyring = session_keys.keyring(request, programme)
    if not keyring:
        raise Http404  # only a session that holds keys can grant them
    user = get_object_or_404(User, pk=user_id)
    try:
        key_grants.grant_key(
            programme,
            user,
            by=request.user,
            keyring=keyring,
            next_keyring=session_keys.next_keyring(request, programme),
        )
    except Refused as why:
        return show_refusal(request, why.reason, reverse("dashboard-home"))
    return redirect("dashboard-home")


# --- The invitee -----------------------------------------------------------------------------


def join(request: HttpRequest, token: str) -> HttpResponse:
    """The link: its token goes into the session (sealed) and out of the address bar, as
    Django's password reset does, so it is in no later request, history entry or referrer."""
    invitation = invitations.find(token, timezone.now())
    if invitation is None:
        return _unusable(request)
    EnrolmentSession(request).start(invitation.pk, token)
    return redirect("staff:join_step")


def _unusable(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/join_unusable.html", status=410)


@require_http_methods(["GET", "POST"])
def join_step(request: HttpRequest) -> HttpResponse:
    enrolment = EnrolmentSession(request)
    invitation = Invitation.objects.filter(pk=enrolment.invitation_id).first()
    if invitation is not None and enrolment.codes_due:
        return _codes(request, invitation)
    now = timezone.now()
    if invitation is None or invitation.finished_at or invitation.expires_at <= now:
        return _unusable(request)
    if invitation.claimed_at is None:
        return _first_step(request, invitation, enrolment.token, now)
    mine = enrolment.user_id
    if mine is None or mine != invitation.user_id:
        return _resume(request, invitation)  # the link again, after the password step
    return _second_factor(request, invitation)


def _resume(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """He set his password and stopped before confirming his authenticator: the same link
    and the same password take him on. Nobody else gets past this (his password)."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if invitation.user_id and invitations.may_resume(invitation, form.cleaned_data["password"]):
            EnrolmentSession(request).belongs_to(invitation.user_id)
            return redirect("staff:join_step")
        form.add_error("password", _("That is not the password you set with this link."))
    context = {"invitation": invitation, "form": form, "resuming": True}
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/join.html", context, status=status)


class ResetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]  # not subscriptable at run time
    recovery_code = RecoveryCodeField()


def _first_step(request: HttpRequest, invitation: Invitation, token: str, now: Any) -> HttpResponse:
    purpose = invitation.purpose
    if purpose == Invitation.Purpose.SECOND_FACTOR:
        form: Any = OwnPasswordForm(request.POST or None)
    elif purpose == Invitation.Purpose.PASSWORD:
        form = ResetPasswordForm(invitation.user, request.POST or None)
        if invitation.confirmed_by_id is not None:
            del form.fields["recovery_code"]  # a second admin vouched for the reset
    else:
        account = invitation.user or User(username=invitation.username)
        form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if purpose == Invitation.Purpose.JOIN:
                user = invitations.join(
                    invitation, form.cleaned_data["new_password1"], token=token, now=now
                )
            elif purpose == Invitation.Purpose.PASSWORD:
                user = invitations.new_password(
                    invitation,
                    form.cleaned_data["new_password1"],
                    recovery_code=form.cleaned_data.get("recovery_code", ""),
                    now=now,
                )
            else:
                user = invitations.confirm_password(
                    invitation, form.cleaned_data["password"], now=now
                )
        except Refused as why:
            form.add_error(None, why.reason)
        else:
            if purpose == Invitation.Purpose.PASSWORD:
                invitations.finish(invitation)
                EnrolmentSession(request).end()
                return render(request, "programmes/join_done.html", {"password_only": True})
            EnrolmentSession(request).belongs_to(user.pk)
            return redirect("staff:join_step")
    context = {"invitation": invitation, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/join.html", context, status=status)


def _second_factor(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    user = invitation.user
    assert user is not None
    enrolment = EnrolmentSession(request)
    device = TOTPDevice.objects.filter(pk=enrolment.device_id, user=user, confirmed=False).first()
    if device is None:
        device = invitations.pending_device(user)
        enrolment.confirming(device.pk)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = invitations.confirm_device(invitation, device, form.cleaned_data["token"])
        if codes is not None:
            enrolment.keep_codes(codes)
            return redirect("staff:join_step")
        form.add_error("token", _("Wrong code. Type the code your app shows now."))
    context = {
        "invitation": invitation,
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/join_second_factor.html", context, status=status)


def _codes(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The recovery codes, shown once: the session forgets them as the page is made."""
    codes = EnrolmentSession(request).take_codes()
    if codes is None:
        return _unusable(request)
    response = render(
        request, "programmes/join_done.html", {"codes": codes, "invitation": invitation}
    )
    response["Cache-Control"] = "no-store"
    return response


# --- His own sessions ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def my_sessions(request: StaffRequest) -> HttpResponse:
    current = StaffBrowserSession(request).row_key
    if request.method == "POST":
        ended = request.POST.get("session", "")
        if ended.isdigit():
            staff_sign_in.end_own_session(request.user, int(ended))
        return redirect("staff:sessions")
    rows = [(row, row.session_key == current) for row in team.sessions_of(request.user)]
    return render(request, "programmes/sessions.html", {"rows": rows})
