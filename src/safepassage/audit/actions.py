"""Every action the audit log records, named once, with the words an admin reads for it.

The values are what the log stores (`case.read`, `passage.notice_sent`): short, stable
across translations, and part of the HMAC chain, so a value never changes once released.
A move of the case table is recorded as `case.<action>` and takes its label from the table
(`case_move`); `log.record` accepts nothing else, so mypy finds a misspelt action.
"""

from typing import NewType

from django.db import models
from django.utils.translation import gettext_lazy as _

CaseMove = NewType("CaseMove", str)


class Action(models.TextChoices):
    CASE_OPENED = "case.opened", _("Case opened")
    CASE_READ = "case.read", _("Case read")
    CASE_QUEUE_READ = "case.queue_read", _("Queue page read (directions)")
    CASE_NOTE_ADDED = "case.note_added", _("Staff note added")
    CASE_SHREDDED = "case.shredded", _("Case destroyed (retention)")
    CASE_PROBE_FLAG_RAISED = "case.probe_flag_raised", _("Flagged as a possible probe")
    CASE_PROBE_SIGNALS_CLEARED = "case.probe_signals_cleared", _("Probe signals cleared")
    CASE_PROBE_SIGNAL_BURST = (
        "case.probe_signal.burst",
        _("Probe signal: burst of near-identical applications"),
    )
    CASE_PROBE_SIGNAL_IDENTITY = (
        "case.probe_signal.identity_two_directions",
        _("Probe signal: the same person from another direction"),
    )
    APPLICANT_ENTERED = "applicant.entered", _("Applicant signed in")
    APPLICANT_DURESS = "applicant.duress", _("Duress codename used")  # before issue #22
    SIGN_INS_READ = "applicant.sign_ins_read", _("Codename sign-ins read by a key holder")
    APPLICANT_DURESS_CODENAME_CREATED = (
        "applicant.duress_codename_created",
        _("Duress codename made"),
    )
    PASSAGE_CONSTRAINTS_SET = "passage.constraints_set", _("Where and when he can cross: saved")
    PASSAGE_NOTICE_SENT = "passage.notice_sent", _("Hold-fire notice sent")
    PASSAGE_NOTICE_ACKNOWLEDGED = "passage.notice_acknowledged", _("Hold-fire notice acknowledged")
    PASSAGE_NOTICE_DECLINED = "passage.notice_declined", _("Hold-fire notice declined")
    PASSAGE_NOTICE_WITHDRAWN = "passage.notice_withdrawn", _("Hold-fire notice withdrawn")
    PASSAGE_WITHDRAWAL_SEEN = (
        "passage.withdrawal_seen",
        _("Withdrawn notice: the liaison told his unit nobody is coming"),
    )
    PASSAGE_KEPT_AFTER_DURESS = (
        "passage.kept_after_duress",
        _("Crossing kept after a duress sign-in"),
    )
    PASSAGE_CALLED_OFF_AFTER_DURESS = (
        "passage.called_off_after_duress",
        _("Crossing called off after a duress sign-in"),
    )
    PASSAGE_NOTICE_EXPIRED = "passage.notice_expired", _("Hold-fire notice expired unanswered")
    PASSAGE_INSTRUCTIONS_RELEASED = (
        "passage.instructions_released",
        _("Instructions shown to the applicant"),
    )
    PASSAGE_APPLICANT_CONFIRMED = (
        "passage.applicant_confirmed",
        _("Applicant confirmed the crossing"),
    )
    PASSAGE_PROBE_HOLD_OVERRIDDEN = (
        "passage.probe_hold_overridden",
        _("Instructions released despite probe risk"),
    )
    PASSAGE_OUTCOME = "passage.outcome", _("Crossing outcome recorded")
    PASSAGE_LEARNING_RESET = "passage.learning_reset", _("A sector's learning from outcomes reset")
    PASSAGE_PLANNER_RUN = "passage.planner_run", _("Planner run")
    PASSAGE_SECTOR_SAVED = "passage.sector_saved", _("Sector saved")
    PASSAGE_RECEIVINGUNIT_SAVED = "passage.receivingunit_saved", _("Receiving unit saved")
    RECEPTION_SEARCHED = "reception.searched", _("Prisoners searched for by blind index")
    RECEPTION_SHEET_PRINTED = "reception.sheet_printed", _("Reception desk printed")
    RECEPTION_READ = "reception.read", _("Prisoner record read")
    RECEPTION_REGISTERED = "reception.registered", _("Prisoner registered (Art. 17)")
    RECEPTION_PARTICULARS_CORRECTED = "reception.particulars_corrected", _("Particulars corrected")
    RECEPTION_EVENT_RECORDED = "reception.event_recorded", _("Custody event recorded")
    RECEPTION_CARD_PRODUCED = "reception.card_produced", _("Capture card produced")
    RECEPTION_CARD_SENT = "reception.card_sent", _("Capture card sent")
    RECEPTION_BUREAU_EXPORT = "reception.bureau_export", _("Information-bureau export")
    AFTERCARE_CONSENT_GIVEN = "aftercare.consent_given", _("Consent given")
    AFTERCARE_CONSENT_WITHDRAWN = "aftercare.consent_withdrawn", _("Consent withdrawn")
    AFTERCARE_EXCHANGE_CHOICE_CLOSED = (
        "aftercare.exchange_choice_closed",
        _("Exchange-list choice closed by his exchange"),
    )
    AFTERCARE_EXCHANGE_LIST = "aftercare.exchange_list", _("Exchange list produced")
    FAMILIES_INQUIRY_RECEIVED = "families.inquiry_received", _("A relative's inquiry received")
    FAMILIES_INQUIRIES_READ = "families.inquiries_read", _("Relatives' inquiries read")
    FAMILIES_CANDIDATES_VIEWED = (
        "families.candidates_viewed",
        _("An inquiry's candidates among prisoners viewed"),
    )
    FAMILIES_MATCH_CONFIRMED = (
        "families.match_confirmed",
        _("A prisoner confirmed as the one asked about"),
    )
    FAMILIES_RELATIVES_READ = (
        "families.relatives_read",
        _("Who asked about a prisoner read, to put it to him"),
    )
    FAMILIES_DECISION_RECORDED = (
        "families.decision_recorded",
        _("A prisoner's decision about a relative's inquiry recorded"),
    )
    FAMILIES_ANSWERS_RELEASED = "families.answers_released", _("Answers to relatives released")
    FAMILIES_LETTER_WRITTEN = "families.letter_written", _("A letter or card written")
    FAMILIES_LETTER_REVIEWED = "families.letter_reviewed", _("A letter or card reviewed")
    FAMILIES_INQUIRIES_SHREDDED = (
        "families.inquiries_shredded",
        _("Relatives' inquiries deleted under the retention rules"),
    )
    AFTERCARE_CONSENTS_READ = "aftercare.consents_read", _("Consents read")
    AFTERCARE_CLAIMS_READ = "aftercare.claims_read", _("Reward claims read")
    AFTERCARE_CLAIM_OPENED = "aftercare.claim_opened", _("Reward claim opened")
    AFTERCARE_CLAIM_VERIFIED = "aftercare.claim_verified", _("Reward claim verified")
    AFTERCARE_CLAIM_APPROVED = "aftercare.claim_approved", _("Reward claim approved")
    AFTERCARE_PAYMENT_RECORDED = "aftercare.payment_recorded", _("Payment recorded")
    AFTERCARE_RATE_CHANGED = "aftercare.rate_changed", _("Reward rate changed")
    VOLUNTEER_OPENED = "volunteer.opened", _("Volunteer service record opened")
    VOLUNTEER_READ = "volunteer.read", _("Volunteer service record read")
    VOLUNTEER_STARTED = "volunteer.started", _("Volunteer service started")
    VOLUNTEER_ENDED = "volunteer.ended", _("Volunteer service ended")
    STAFF_ADDED = "staff.added", _("Staff member added")
    STAFF_PASSWORD_ACCEPTED = "staff.password_accepted", _("Password accepted")
    STAFF_SECOND_FACTOR_ENROLLED = "staff.second_factor_enrolled", _("Second factor enrolled")
    STAFF_SECOND_FACTOR_FAILED = "staff.second_factor_failed", _("Wrong second-factor code")
    STAFF_PASSWORD_CHANGED = "staff.password_changed", _("Password changed (keys kept)")
    STAFF_SIGNED_IN = "staff.signed_in", _("Signed in")
    STAFF_SIGNED_OUT = "staff.signed_out", _("Signed out")
    STAFF_INVITED = "staff.invited", _("Staff member invited")
    STAFF_JOINED = "staff.joined", _("Invitation accepted")
    STAFF_KEY_GRANTED = "staff.key_granted", _("Programme key granted")
    GROUP_KEY_MADE = (
        "programme.group_key_made",
        _("A new field group's key made for its first holder"),
    )
    STAFF_RESET_CONFIRMED = "staff.reset_confirmed", _("Password reset confirmed by a second admin")
    UNIT_KEY_GRANTED = "staff.unit_key_granted", _("A receiving unit's key granted to a liaison")
    UNIT_KEY_RENEWED = "staff.unit_key_renewed", _("A receiving unit given a new key pair")
    STAFF_ROLES_CHANGED = "staff.roles_changed", _("Roles changed")
    STAFF_DEACTIVATED = "staff.deactivated", _("Staff member deactivated")
    STAFF_SECOND_FACTOR_RESET = "staff.second_factor_reset", _("Second-factor enrolment link made")
    STAFF_PASSWORD_RESET = "staff.password_reset", _("Password link made")
    STAFF_SESSION_ENDED = "staff.session_ended", _("A session signed out from another")
    HOTLINE_CALL_RECORDED = "hotline.call_recorded", _("Call recorded by an operator")
    HOTLINE_CODENAME_READ_BACK = "hotline.codename_read_back", _("Caller read the codename back")
    OUTREACH_CAMPAIGN_SAVED = "outreach.campaign_saved", _("Campaign saved")
    OUTREACH_CHANNELS_SAVED = "outreach.channels_saved", _("Official channels saved")
    REPLY_TEMPLATE_SAVED = "inbox.template_saved", _("Reply template saved")
    KEY_ROTATION_REQUESTED = "programme.key_rotation_requested", _("Key rotation asked for")
    KEY_ROTATION_STARTED = "programme.key_rotation_started", _("Key rotation started")
    KEY_ROTATION_FINISHED = "programme.key_rotation_finished", _("Key rotation finished")
    OPS_BACKUP_WRITTEN = "ops.backup_written", _("Backup written")
    PROGRAMME_CREATED = "programme.created", _("Programme created")
    MESSAGE_FROM_APPLICANT = "message.from_applicant", _("Message from the applicant")
    MESSAGE_TO_APPLICANT = "message.to_applicant", _("Message to the applicant")


def case_move(transition_action: str) -> CaseMove:
    """`case.verify` for the table's `verify` row."""
    return CaseMove(f"case.{transition_action}")
