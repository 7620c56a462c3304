"""What the prisoner decides a relative who asked about him may learn (issue #24).

Once a tracing officer confirms a match, the reception or after-care officer who sees the
prisoner reads who asks (sealed to the custody key at the confirmation) and puts it to him,
with the inquirer's question if there is one. Per inquirer he may let us say that he is alive
and registered, that and allow letters, say nothing, or say nothing and flag the inquiry as
suspicious. The officer records it with the statement he read in his language (encrypted under
his case's custody data key); the latest decision stands, so recording another revokes it.
Nothing changes for the inquirer until the next release (releases.py).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.cases.models import Case
from safepassage.families import letters
from safepassage.families.models import Decision, FamiliesIndexKey, Letter, Match
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.vault import crypto

SHARING = frozenset({Decision.Kind.SHARE, Decision.Kind.LETTERS})
# What he reads, in his language, before the officer records his decision.
STATEMENTS = {
    Decision.Kind.SHARE: gettext_lazy(
        "I agree that this person is told that I am alive and registered as a prisoner of "
        "war, and nothing more."
    ),
    Decision.Kind.LETTERS: gettext_lazy(
        "I agree that this person is told that I am alive and registered as a prisoner of "
        "war, and that we may exchange letters and cards."
    ),
    Decision.Kind.DECLINE: gettext_lazy("I do not want this person to be told anything about me."),
    Decision.Kind.FLAG: gettext_lazy(
        "I do not want this person to be told anything about me. I do not believe this "
        "inquiry comes from who it says."
    ),
}


class DecisionRefused(Refused):
    """The decision cannot be recorded; `reason` is safe to show the officer."""


def seal_for_custody(programme: Programme, inquirer: dict[str, Any]) -> dict[str, Any]:
    """Who asks, sealed to the custody key for the officer who will put it to the prisoner:
    the Match's for_custody columns."""
    fields = ("relationship", "inquirer_name", "region", "question", "answer", "language")
    plain = json.dumps({name: inquirer.get(name, "") for name in fields}, ensure_ascii=False)
    sealed, sealed_next = programme.seal("custody", plain.encode())
    return {"for_custody": sealed, "for_custody_next": sealed_next}


def statement(kind: str, language: str) -> str:
    with translation.override(language):
        return str(STATEMENTS[Decision.Kind(kind)])


@dataclass(frozen=True)
class AskingRelative:
    """One confirmed inquiry about the prisoner, as his officer reads it, with the letters
    between them (families/letters.py)."""

    match: Match
    inquirer: dict[str, Any]
    decision: Decision | None
    letters: list[Any]  # letters.ShownLetter

    @property
    def letters_allowed(self) -> bool:
        return self.decision is not None and self.decision.kind == Decision.Kind.LETTERS


def _matches_of(case: Case) -> list[Match]:
    return list(
        Match.objects.filter(prisoner__case=case)
        .select_related("inquiry")
        .prefetch_related("decisions__recorded_by", "letters")
        .order_by("confirmed_at", "pk")
    )


def relatives_asking(case: Case, *, user: User, keyring: Keyring) -> list[AskingRelative]:
    """Who asked about him and what he decided so far; the read is audited."""
    custody = keyring.get("custody")
    if custody is None:
        raise dossier.GroupNotHeld()
    asking = []
    for match in _matches_of(case):
        inquirer = json.loads(crypto.unseal(custody, bytes(match.for_custody)))
        decisions = list(match.decisions.all())
        written = letters.opened_for_custody(list(match.letters.all()), custody)
        asking.append(
            AskingRelative(match, inquirer, decisions[-1] if decisions else None, written)
        )
    if asking:
        with transaction.atomic():
            log.record_case(
                case, Action.FAMILIES_RELATIVES_READ, log.staff_actor(user), inquiries=len(asking)
            )
    return asking


def record_decision(
    case: Case,
    match_id: int,
    *,
    kind: str,
    language: str,
    words: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> Decision:
    """He decided what this inquirer may learn, having read the statement in `language`."""
    match = Match.objects.filter(pk=match_id, prisoner__case=case).first()
    if match is None:
        raise DecisionRefused(_("No such inquiry about him."))
    if case.shredded_at is not None:
        raise DecisionRefused(_("His record has been destroyed."))
    read = {"statement": statement(kind, language), "words": words}
    with transaction.atomic():
        key = dossier.writing_key(case, keyring, "custody")
        decision = Decision.objects.create(
            match=match,
            kind=kind,
            language=language,
            statement=crypto.encrypt_json(key, read),
            decided_at=now or timezone.now(),
            recorded_by=user,
        )
        log.record_case(case, Action.FAMILIES_DECISION_RECORDED, log.staff_actor(user), kind=kind)
    return decision


def statement_of(decision: Decision, case: Case, keyring: Keyring) -> dict[str, str]:
    key = dossier.case_key(case, keyring, "custody")
    if key is None:
        raise dossier.GroupNotHeld()
    read: dict[str, str] = crypto.decrypt_json(key, decision.statement)
    return read


# --- Key rotation: what was sealed to the custody key -----------------------------------------


# Who asks (Match), the letters' texts (Letter) and the families index key are sealed to the
# custody key.
SEALED_TO_CUSTODY = (Match, Letter, FamiliesIndexKey)
PROGRAMME_OF = {
    Match: "inquiry__programme_id",
    Letter: "match__inquiry__programme_id",
    FamiliesIndexKey: "programme_id",
}


def _of_programme(model: Any, programme_id: int) -> Any:
    return model.objects.filter(**{PROGRAMME_OF[model]: programme_id})


def reseal(
    sender: object,
    programme_id: int,
    group: str,
    old_key: bytes,
    new_public: bytes,
    limit: int,
    **kwargs: object,
) -> int:
    """A rotation's batch of the custody key's: who asks and the letters, for the officers."""
    if group != "custody":
        return 0
    resealed = 0
    for model in SEALED_TO_CUSTODY:
        waiting = _of_programme(model, programme_id).filter(for_custody_next__isnull=True)
        for row in waiting.order_by("pk")[: limit - resealed]:
            plain = crypto.unseal(old_key, bytes(row.for_custody))
            model.objects.filter(pk=row.pk).update(for_custody_next=crypto.seal(new_public, plain))
            resealed += 1
    return resealed


def left_to_reseal(sender: object, programme_id: int, **kwargs: object) -> dict[str, int]:
    waiting = sum(
        _of_programme(model, programme_id).filter(for_custody_next__isnull=True).count()
        for model in SEALED_TO_CUSTODY
    )
    return {"custody": waiting}


def promote_resealed(sender: object, programme_id: int, **kwargs: object) -> None:
    for model in SEALED_TO_CUSTODY:
        _of_programme(model, programme_id).exclude(for_custody_next=None).update(
            for_custody=F("for_custody_next"), for_custody_next=None
        )
