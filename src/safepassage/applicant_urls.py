"""The applicant host's pages (the onion service): the applicant's and the official channels'
pages and nothing else, so that a staff view cannot even be resolved there. The bare root
goes to Russian, the programme's first language."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from safepassage import errors
from safepassage.families import views as families_views
from safepassage.intake import views as intake_views
from safepassage.outreach import views as outreach_views


def to_russian(request: HttpRequest) -> HttpResponse:
    return redirect("/ru/")


intake_patterns = (
    [
        path("", intake_views.home, name="home"),
        path("safety/", intake_views.safety, name="safety"),
        path("rights/", intake_views.rights, name="rights"),
        path("enter/", intake_views.enter, name="enter"),
        path("my/", intake_views.status, name="status"),
        path("my/reply/", intake_views.reply, name="reply"),
        path("my/duress/", intake_views.duress, name="duress"),
        path("my/leave/", intake_views.leave, name="leave"),
        path("my/confirm-crossing/", intake_views.confirm_crossing, name="confirm_crossing"),
        path("my/<slug:path>/", intake_views.act, name="act"),
        path("<slug:slug>/apply/", intake_views.apply, name="apply"),
        path("r/<str:code>/", intake_views.campaign_link, name="campaign"),
        path("<slug:slug>/official/", outreach_views.official, name="official"),
        path("<slug:slug>/apply/received/", intake_views.received, name="received"),
    ],
    "intake",
)

families_patterns = (
    [
        path("<slug:slug>/family/", families_views.ask, name="ask"),
        path("<slug:slug>/family/received/", families_views.received, name="received"),
        path("family/enter/", families_views.enter, name="enter"),
        path("family/answer/", families_views.answer, name="answer"),
        path("family/letters/write/", families_views.write, name="write"),
        path("family/letters/<int:letter_id>/card.pdf", families_views.card, name="card"),
        path("family/leave/", families_views.leave, name="leave"),
    ],
    "families",
)

urlpatterns = [
    path("", to_russian, name="root"),
    *i18n_patterns(path("", include(intake_patterns)), path("", include(families_patterns))),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
