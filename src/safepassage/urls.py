"""Every page, the staff's and the applicant's, for a staff host or for one host serving both
(the local demo). Every page lives under a language prefix (/ru/, /en/): the language is in
the URL, never in a cookie. An applicant host (the onion) routes by `applicant_urls`, which
holds no staff view at all (lib/hosts.HostsMiddleware picks the URL conf by host)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from safepassage import errors
from safepassage.aftercare import views as aftercare_views
from safepassage.applicant_urls import families_patterns, intake_patterns, to_russian
from safepassage.cases import rotation_views
from safepassage.cases import views as case_views
from safepassage.dashboard import audit_views, desk_views, queue_views
from safepassage.dashboard import views as dashboard_views
from safepassage.families import call_views, prisoner_views, tracing_views
from safepassage.inbox import views as inbox_views
from safepassage.outreach import views as outreach_views
from safepassage.passage import liaison_views
from safepassage.passage import views as passage_views
from safepassage.programmes import team_views
from safepassage.programmes import views as programme_views
from safepassage.reception import views as reception_views
from safepassage.volunteer import views as volunteer_views

staff_patterns = (
    [
        path("login/", programme_views.sign_in, name="login"),
        path("second-factor/", programme_views.second_factor, name="second_factor"),
        path("logout/", programme_views.sign_out, name="logout"),
        path("password/", programme_views.change_password, name="password"),
        path("sessions/", team_views.my_sessions, name="sessions"),
        path("join/", team_views.join_step, name="join_step"),
        path("join/<str:token>/", team_views.join, name="join"),
        path("p/<slug:slug>/people/", team_views.people, name="people"),
        path("p/<slug:slug>/people/<int:user_id>/", team_views.person, name="person"),
        path(
            "p/<slug:slug>/people/<int:user_id>/deactivate/",
            team_views.deactivate,
            name="deactivate",
        ),
        path(
            "p/<slug:slug>/people/<int:user_id>/reset/<slug:purpose>/",
            team_views.reset,
            name="reset",
        ),
        path("p/<slug:slug>/people/<int:user_id>/grant/", team_views.grant, name="grant"),
        path(
            "p/<slug:slug>/resets/<int:invitation_id>/confirm/",
            team_views.confirm_reset,
            name="confirm_reset",
        ),
    ],
    "staff",
)
outreach_patterns = (
    [
        path("p/<slug:slug>/campaigns/", outreach_views.campaigns, name="campaigns"),
        path("p/<slug:slug>/channels/", outreach_views.channels, name="channels"),
        path(
            "p/<slug:slug>/campaigns/<str:code>/<slug:fmt>.pdf",
            outreach_views.leaflet,
            name="leaflet",
        ),
    ],
    "outreach",
)
inbox_patterns = (
    [
        path("p/<slug:slug>/inbox/", inbox_views.inbox, name="inbox"),
        path("p/<slug:slug>/inbox/<str:reference>/", inbox_views.reply, name="reply"),
        path("p/<slug:slug>/call/", inbox_views.call, name="call"),
        path("p/<slug:slug>/call/codename/", inbox_views.read_back, name="read_back"),
        path("p/<slug:slug>/templates/", inbox_views.templates, name="templates"),
        path("p/<slug:slug>/templates/<int:pk>/", inbox_views.templates, name="template"),
    ],
    "inbox",
)
case_patterns = (
    [
        path("p/<slug:slug>/queue/", queue_views.queue, name="queue"),
        path("p/<slug:slug>/rotation/", rotation_views.rotation, name="rotation"),
        path("p/<slug:slug>/rotation/step/", rotation_views.rotation_step, name="rotation_step"),
        path(
            "p/<slug:slug>/rotation/request/",
            rotation_views.request_rotation,
            name="request_rotation",
        ),
        path("case/<str:reference>/", case_views.case_detail, name="detail"),
        path("case/<str:reference>/action/", case_views.case_action, name="action"),
        path("case/<str:reference>/note/", case_views.case_note, name="note"),
        path("case/<str:reference>/message/", case_views.case_message, name="message"),
        path("case/<str:reference>/probe/", case_views.case_probe, name="probe"),
    ],
    "cases",
)

passage_patterns = (
    [
        path("p/<slug:slug>/sectors/", passage_views.sectors, name="sectors"),
        path("p/<slug:slug>/sectors/new/", passage_views.sector_edit, name="sector_new"),
        path("p/<slug:slug>/sectors/<int:pk>/", passage_views.sector_edit, name="sector_edit"),
        path("p/<slug:slug>/units/new/", passage_views.unit_edit, name="unit_new"),
        path("p/<slug:slug>/units/<int:pk>/", passage_views.unit_edit, name="unit_edit"),
        path(
            "p/<slug:slug>/units/<int:unit_id>/grant/<int:user_id>/",
            passage_views.grant_unit_key,
            name="grant_unit_key",
        ),
        path(
            "p/<slug:slug>/units/<int:unit_id>/renew-key/",
            passage_views.renew_unit_key,
            name="renew_unit_key",
        ),
        path("p/<slug:slug>/planner/", passage_views.planner, name="planner"),
        path("p/<slug:slug>/calibration/", passage_views.calibration, name="calibration"),
        path(
            "p/<slug:slug>/calibration/<int:pk>/reset/",
            passage_views.reset_learning,
            name="reset_learning",
        ),
        path("case/<str:reference>/crossing/", passage_views.crossing, name="crossing"),
        path(
            "case/<str:reference>/crossing/constraints/",
            passage_views.set_constraints,
            name="constraints",
        ),
        path("case/<str:reference>/crossing/plan/", passage_views.plan, name="plan"),
        path("case/<str:reference>/crossing/outcome/", passage_views.outcome, name="outcome"),
        path("case/<str:reference>/crossing/override/", passage_views.override, name="override"),
        path(
            "case/<str:reference>/crossing/keep-after-duress/",
            passage_views.keep_after_duress,
            name="keep_after_duress",
        ),
        path(
            "case/<str:reference>/crossing/call-off-after-duress/",
            passage_views.call_off_after_duress,
            name="call_off_after_duress",
        ),
        path("notices/", liaison_views.notices, name="notices"),
        path("notices/<int:pk>/<slug:answer>/", liaison_views.notice_answer, name="notice_answer"),
    ],
    "passage",
)

reception_patterns = (
    [
        path("p/<slug:slug>/reception/", desk_views.desk, name="desk"),
        path("p/<slug:slug>/reception/export/", desk_views.bureau_export, name="export"),
        path("p/<slug:slug>/reception/desk.pdf", desk_views.desk_sheet, name="desk_sheet"),
        path("case/<str:reference>/reception/", reception_views.prisoner, name="prisoner"),
        path("case/<str:reference>/reception/register/", reception_views.register, name="register"),
        path("case/<str:reference>/reception/card.pdf", reception_views.card, name="card"),
        path(
            "case/<str:reference>/reception/card-sent/", reception_views.card_sent, name="card_sent"
        ),
        path("case/<str:reference>/reception/event/", reception_views.event, name="event"),
    ],
    "reception",
)
aftercare_patterns = (
    [
        path("p/<slug:slug>/rewards/", aftercare_views.reward_schedule, name="rewards"),
        path(
            "p/<slug:slug>/exchange-lists/",
            aftercare_views.exchange_lists,
            name="exchange_lists",
        ),
        path("case/<str:reference>/aftercare/", aftercare_views.person, name="person"),
        path("case/<str:reference>/aftercare/consent/", aftercare_views.consent, name="consent"),
        path("case/<str:reference>/aftercare/withdraw/", aftercare_views.withdraw, name="withdraw"),
        path(
            "case/<str:reference>/aftercare/equipment/", aftercare_views.equipment, name="equipment"
        ),
        path("case/<str:reference>/aftercare/claim/", aftercare_views.claim, name="claim"),
        path("case/<str:reference>/aftercare/payment/", aftercare_views.payment, name="payment"),
    ],
    "aftercare",
)
volunteer_patterns = (
    [
        path("p/<slug:slug>/volunteer/", volunteer_views.candidates, name="candidates"),
        path("case/<str:reference>/volunteer/", volunteer_views.service, name="service"),
        path("case/<str:reference>/volunteer/step/", volunteer_views.step, name="step"),
        path("case/<str:reference>/volunteer/start/", volunteer_views.start, name="start"),
    ],
    "volunteer",
)

urlpatterns = [
    path("", to_russian, name="root"),
    *i18n_patterns(
        path("staff/", dashboard_views.home, name="dashboard-home"),
        path("staff/help/", dashboard_views.help_page, name="staff-help"),
        path("staff/", include(staff_patterns)),
        path("staff/", include(case_patterns)),
        path("staff/", include(inbox_patterns)),
        path("staff/", include(outreach_patterns)),
        path("staff/", include(passage_patterns)),
        path("staff/", include(reception_patterns)),
        path("staff/", include(aftercare_patterns)),
        path("staff/", include(volunteer_patterns)),
        path("staff/p/<slug:slug>/audit/", audit_views.browse, name="audit-browse"),
        path("staff/p/<slug:slug>/inquiries/", tracing_views.inquiries, name="tracing-inquiries"),
        path(
            "staff/p/<slug:slug>/inquiries/<int:inquiry_id>/",
            tracing_views.inquiry,
            name="tracing-inquiry",
        ),
        path("staff/p/<slug:slug>/relative-call/", call_views.call, name="families-call"),
        path(
            "staff/p/<slug:slug>/relative-call/codename/",
            call_views.read_back,
            name="families-call-read-back",
        ),
        path(
            "staff/case/<str:reference>/relatives/",
            prisoner_views.relatives,
            name="families-relatives",
        ),
        path(
            "staff/case/<str:reference>/relatives/decide/",
            prisoner_views.decide,
            name="families-decide",
        ),
        path(
            "staff/case/<str:reference>/relatives/letter/",
            prisoner_views.write_letter,
            name="families-letter",
        ),
        path(
            "staff/case/<str:reference>/relatives/review/",
            prisoner_views.review_letter,
            name="families-review",
        ),
        path(
            "staff/p/<slug:slug>/inquiries/<int:inquiry_id>/confirm/",
            tracing_views.confirm,
            name="tracing-confirm",
        ),
        path("", include(intake_patterns)),
        path("", include(families_patterns)),
    ),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
