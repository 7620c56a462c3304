"""What an applicant does with his codename once he has applied: sign in (or under duress),
read and send messages, take the actions the table allows him. Channel-neutral callers go
through intake/applicants.py."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import sign_ins, transitions
from safepassage.cases.messages import ShownMessage, add_message, shown_messages
from safepassage.cases.models import Case, Codename, Message
from safepassage.vault import codenames, crypto


@dataclass(frozen=True)
class ApplicantSession:
    case: Case
    data_key: bytes | None  # None under duress: nothing of the case is opened
    duress: bool
    credential: bytes  # the lookup hash of the codename he came in with
    decoy_key: bytes | None = None  # under duress: what his credential opened
    notebook: dict[str, Any] = field(default_factory=dict)  # under duress: the decoy so far


def enter_with_codename(codename: str) -> ApplicantSession | None:
    """Sign in. A duress codename signs in too, and writes exactly what a real sign-in writes
    (cases/sign_ins.py): it opens nothing of the case, and only the notes key and his real
    codename can tell it was one. What becomes of the case is the verifiers' and the
    coordinator's decision."""
    if not codenames.looks_like_codename(codename):
        return None
    digest = codenames.lookup_hash(codename)
    credential = (
        Codename.objects.select_related("case__programme").filter(lookup_hash=digest).first()
    )
    if credential is None or not codenames.same_hash(credential.lookup_hash, digest):
        return None
    opened: codenames.Opened | None
    try:
        opened = codenames.open_credential(codename, credential.wrapped_key)
    except crypto.DecryptionError:
        opened = _open_legacy(codename, credential)
    if opened is None:
        return None
    case = credential.case
    with transaction.atomic():
        # Every notebook of the case is sealed again at every sign-in, real or not, so two
        # copies of the database do not show which credential is ever used or written.
        notebook = _seal_notebooks_again(case, digest, opened.key)
        sign_ins.record(case, duress=opened.duress)
    if opened.duress:
        return ApplicantSession(case, None, True, digest, opened.key, notebook)
    return ApplicantSession(case=case, data_key=opened.key, duress=False, credential=digest)


def _seal_notebooks_again(
    case: Case, credential: bytes, own_key: bytes, content: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Inside a transaction: every notebook of the case under a fresh nonce, the credential
    `credential`'s with `content` if given; what its notebook now holds. A credential from
    before notebooks shared a key gets a notebook key of its own first; the notebooks of
    other such credentials of the case it cannot open stay as they are."""
    rows = list(Codename.objects.select_for_update().filter(case=case).order_by("pk"))
    own = next((r for r in rows if codenames.same_hash(bytes(r.lookup_hash), credential)), None)
    if own is None:
        return {}
    key = codenames.open_notebook_key(own_key, bytes(own.notebook_key))
    if key is None:
        if content is None:
            content = codenames.open_notebook(own_key, bytes(own.notebook))
        key = codenames.new_notebook_key()
        own.notebook_key = codenames.wrap_notebook_key(own_key, key)
    mine = codenames.open_notebook(key, bytes(own.notebook)) if content is None else content
    for row in rows:
        if row.pk == own.pk:
            row.notebook = codenames.seal_notebook(key, mine)
        else:
            row.notebook = codenames.seal_again(key, bytes(row.notebook)) or row.notebook
    Codename.objects.bulk_update(rows, ["notebook", "notebook_key"])
    return codenames.fit_notebook(mine)


def seal_notebooks_again(case: Case, credential: bytes, own_key: bytes) -> None:
    """After anything a real session writes, as a duress session's decoy is written: the
    notebooks change alike whichever credential is at work."""
    with transaction.atomic():
        _seal_notebooks_again(case, credential, own_key)


def _open_legacy(codename: str, credential: Codename) -> codenames.Opened | None:
    """A credential from before issue #16: opened the old way, then sealed the new way and
    its plain kind cleared (migration cases 0007)."""
    if credential.legacy_duress is None:
        return None
    try:
        opened = codenames.open_legacy_credential(
            codename, credential.wrapped_key, duress=credential.legacy_duress
        )
    except crypto.DecryptionError:
        return None
    resealed = codenames.seal_credential(codename, opened.key, duress=opened.duress)
    notebook = codenames.seal_notebook(opened.key, {})
    Codename.objects.filter(pk=credential.pk).update(
        wrapped_key=resealed, notebook=notebook, legacy_duress=None
    )
    credential.notebook = notebook
    return opened


def create_duress_codename(
    case: Case,
    language: str,
    *,
    keep: bytes,
    own_key: bytes,
    duress: bool,
    decoy: dict[str, Any],
) -> str:
    """A further codename that, entered instead of his own, opens nothing and warns the
    verifiers. From his real session it replaces any earlier duress codename (every other
    credential but `keep`, his own); from a duress session it only adds one, as nothing there
    knows which credential is real. Its decoy starts as `decoy`: the messages he sent
    before (so the page it opens shows what his own shows of them). The case's credentials
    are written again in random order, so the order of the rows does not tell which came
    last."""
    codename = codenames.generate(language)
    decoy_key = crypto.new_data_key()
    with transaction.atomic():
        _seal_notebooks_again(case, keep, own_key)  # so the session's own has the case's key
        existing = list(Codename.objects.select_for_update().filter(case=case))
        own = next((c for c in existing if codenames.same_hash(bytes(c.lookup_hash), keep)), None)
        notebook_key = own and codenames.open_notebook_key(own_key, bytes(own.notebook_key))
        # A session whose own codename was replaced meanwhile: a notebook key of its own.
        notebook_key = notebook_key or codenames.new_notebook_key()
        fresh = Codename(
            case=case,
            lookup_hash=codenames.lookup_hash(codename),
            wrapped_key=codenames.seal_credential(codename, decoy_key, duress=True),
            notebook=codenames.seal_notebook(notebook_key, decoy),
            notebook_key=codenames.wrap_notebook_key(decoy_key, notebook_key),
        )
        kept = [c for c in existing if duress or codenames.same_hash(bytes(c.lookup_hash), keep)]
        rows = [
            Codename(
                case=case,
                lookup_hash=bytes(c.lookup_hash),
                wrapped_key=bytes(c.wrapped_key),
                notebook=bytes(c.notebook),
                notebook_key=bytes(c.notebook_key),
                legacy_duress=c.legacy_duress,
            )
            for c in kept
        ]
        rows.append(fresh)
        secrets.SystemRandom().shuffle(rows)
        Codename.objects.filter(pk__in=[c.pk for c in existing]).delete()
        Codename.objects.bulk_create(rows)
        log.record_case(case, Action.APPLICANT_DURESS_CODENAME_CREATED, log.APPLICANT)
    return codename


def write_notebook(
    case: Case, credential: bytes, decoy_key: bytes, content: dict[str, Any]
) -> None:
    """What a duress session's decoy now shows, kept for his next sign-in, with every other
    notebook of the case sealed again beside it (as a real session's writes do)."""
    with transaction.atomic():
        _seal_notebooks_again(case, credential, decoy_key, content)


def applicant_messages(session: ApplicantSession) -> list[ShownMessage]:
    if session.data_key is None:
        return []
    return shown_messages(session.case, session.data_key)


def applicant_reply(case: Case, data_key: bytes, text: str) -> None:
    with transaction.atomic():
        add_message(case, data_key, Message.Sender.APPLICANT, text)
        now = timezone.now()
        # Only the first unanswered message sets the time he waits from.
        Case.objects.filter(pk=case.pk, awaiting_since__isnull=True).update(awaiting_since=now)
        Case.objects.filter(pk=case.pk).update(awaiting_reply=True, updated_at=now)
        log.record_case(case, Action.MESSAGE_FROM_APPLICANT, log.APPLICANT)


def applicant_action(case: Case, action: str) -> Case:
    """Cancel, apply (from an inquiry) or say they are ready again (from dormant)."""
    return transitions.perform(
        case, action, roles=transitions.APPLICANT_ROLES, actor=transitions.APPLICANT
    )
