"""Every page lives under a language prefix (/ru/, /en/): the language is in the URL, never
in a cookie. The bare root goes to Russian, the programme's first language."""

from django.conf.urls.i18n import i18n_patterns
from django.shortcuts import redirect
from django.urls import include, path

from safepassage import errors
from safepassage.audit import views as audit_views
from safepassage.cases import views as case_views
from safepassage.dashboard import views as dashboard_views
from safepassage.intake import views as intake_views
from safepassage.programmes import views as programme_views

intake_patterns = (
    [
        path("", intake_views.home, name="home"),
        path("safety/", intake_views.safety, name="safety"),
        path("enter/", intake_views.enter, name="enter"),
        path("my/", intake_views.status, name="status"),
        path("my/reply/", intake_views.reply, name="reply"),
        path("my/duress/", intake_views.duress, name="duress"),
        path("my/leave/", intake_views.leave, name="leave"),
        path("my/<slug:action>/", intake_views.act, name="act"),
        path("<slug:slug>/apply/", intake_views.apply, name="apply"),
    ],
    "intake",
)
staff_patterns = (
    [
        path("login/", programme_views.sign_in, name="login"),
        path("second-factor/", programme_views.second_factor, name="second_factor"),
        path("logout/", programme_views.sign_out, name="logout"),
    ],
    "staff",
)
case_patterns = (
    [
        path("p/<slug:slug>/queue/", case_views.queue, name="queue"),
        path("case/<str:reference>/", case_views.case_detail, name="detail"),
        path("case/<str:reference>/action/", case_views.case_action, name="action"),
        path("case/<str:reference>/note/", case_views.case_note, name="note"),
        path("case/<str:reference>/message/", case_views.case_message, name="message"),
        path("case/<str:reference>/probe/", case_views.case_probe, name="probe"),
    ],
    "cases",
)

urlpatterns = [
    path("", lambda request: redirect("/ru/"), name="root"),
    *i18n_patterns(
        path("staff/", dashboard_views.home, name="dashboard-home"),
        path("staff/", include(staff_patterns)),
        path("staff/", include(case_patterns)),
        path("staff/p/<slug:slug>/audit/", audit_views.browse, name="audit-browse"),
        path("", include(intake_patterns)),
    ),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
