"""What the prisoner decides and what the inquirer then reads (issue #24): his officer reads who
asks and records his decision; answers change only at a release, all at once; the default
answer is the same bytes whether there is no match, a match waiting, a refusal, a flag or a
man who applied and has not crossed; only his consent changes it, and he can take it back."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.families import decisions, inquirers, letters, matching, releases, tracing
from safepassage.families.models import Decision, Inquiry, Match
from safepassage.lib import display
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.cases.test_rekeying import rotate
from tests.conftest import audit_entries, form_token, submit, text_of
from tests.families.test_inquiries import ask, without_tokens
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db


def without_its_day(page: str) -> str:
    """The page less the day it names for the next release, which moves on at each."""
    return re.sub(r'<p id="answer-by">.*?</p>', "", page)


class Inquirer:
    """A relative with her own browser, signed in with her inquiry's codename."""

    def __init__(self, **sought: str) -> None:
        self.client = Client()
        self.codename = ask(self.client, **sought)
        self.inquiry = Inquiry.objects.latest("pk")

    def page(self) -> str:
        """She comes back and signs in with her codename, as days later she would."""
        entered = self.client.post("/ru/family/enter/", {"codename": self.codename})
        assert entered["Location"] == "/ru/family/answer/"
        return without_tokens(self.client.get("/ru/family/answer/").content.decode())


def confirm(world, inquirer: Inquirer, prisoner) -> Match:
    key = world.keyring["families"]
    return tracing.confirm_match(
        world.programme,
        inquirer.inquiry.pk,
        sought=1,
        prisoner_id=prisoner.pk,
        user=world.staff[Role.TRACING],
        key=key,
    )


def decide(world, match: Match, kind: str, words: str = "") -> Decision:
    return decisions.record_decision(
        match.prisoner.case,
        match.pk,
        kind=kind,
        language="ru",
        words=words,
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )


def test_the_default_answer_is_the_same_in_five_cases_before_and_after_a_release(
    world, ivanov, time_machine
):
    release = inquirers.next_release(timezone.now())
    submit(Client(), surname="Петров", first_names="Олег")  # applied, has not crossed
    asking = {
        "no match": Inquirer(s1_surname="Несуществующий", s1_first_name="Никто"),
        "waiting for him": Inquirer(),
        "refused": Inquirer(),
        "flagged": Inquirer(),
        "applied, not crossed": Inquirer(s1_surname="Петров", s1_first_name="Олег"),
        "he agreed": Inquirer(),
    }
    for name, kind in (("waiting for him", None), ("refused", "decline"), ("flagged", "flag")):
        match = confirm(world, asking[name], ivanov)
        if kind:
            decide(world, match, kind, words="мама умерла" if kind == "flag" else "")
    decide(world, confirm(world, asking["he agreed"], ivanov), "share")

    before = {name: inquirer.page() for name, inquirer in asking.items()}
    assert len(set(before.values())) == 1  # his consent shows nothing before a release
    time_machine.move_to(release)
    assert releases.release_answers(release) == 1
    after = {name: inquirer.page() for name, inquirer in asking.items()}
    agreed = after.pop("he agreed")
    assert len(set(after.values())) == 1
    assert without_its_day(after["no match"]) == without_its_day(before["no match"])
    assert text_of(agreed, "answer") == (
        "О первом человеке, о котором вы спрашивали: он жив и зарегистрирован как "
        "военнопленный; его данные передаются в Центральное агентство по розыску МККК."
    )
    assert audit_entries("families.answers_released") == [("system", {"changed": 1})]


def test_an_answer_appears_only_at_a_release_and_a_revoked_one_goes_back(
    world, ivanov, time_machine
):
    release = inquirers.next_release(timezone.now())
    mother = Inquirer()
    match = confirm(world, mother, ivanov)
    default = mother.page()
    decide(world, match, "letters")
    just_before = release - timedelta(minutes=1)
    time_machine.move_to(just_before)
    assert releases.release_answers(just_before) == 0
    assert mother.page() == default
    time_machine.move_to(release)
    releases.release_answers(release)
    assert releases.release_answers(release) == 0  # once per release moment
    assert "он жив и зарегистрирован" in text_of(mother.page(), "answer")
    decide(world, match, "decline", words="Я не хочу, чтобы ей говорили")
    assert "он жив и зарегистрирован" in text_of(mother.page(), "answer")  # until the next
    following = inquirers.next_release(release)
    time_machine.move_to(following)
    releases.release_answers(following)
    assert without_its_day(mother.page()) == without_its_day(default)


@pytest.mark.parametrize(
    ("event", "said"),
    [
        ("exchange", "его освободили в ходе обмена."),
        ("icrc", "он жив и зарегистрирован как военнопленный; МККК подтвердил его регистрацию."),
    ],
    ids=["exchanged", "icrc-confirmed"],
)
def test_what_reception_records_later_raises_the_answer_he_allowed(
    world, ivanov, time_machine, event, said
):
    mother = Inquirer()
    decide(world, confirm(world, mother, ivanov), "share")
    reception.add_event(
        ivanov.case,
        kind=event,
        occurred_on=reception.local_day(timezone.now()),
        place="",
        details="",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    release = inquirers.next_release(timezone.now())
    time_machine.move_to(release)
    releases.release_answers(release)
    assert text_of(mother.page(), "answer") == (
        f"О первом человеке, о котором вы спрашивали: {said}"
    )


def test_his_officer_reads_who_asks_and_records_his_decision(world, ivanov, staff_client):
    mother = Inquirer()
    match = confirm(world, mother, ivanov)
    reference = ivanov.case.reference
    url = f"/ru/staff/case/{reference}/relatives/"
    officer = staff_client(Role.RECEPTION)
    page = officer.get(url).content.decode()
    assert text_of(page, f"asking-{match.pk}").startswith(
        "мама Галя (Мать), Тамбовская область Их вопрос ему: Как звали нашу собаку? "
        "Ответ, которого ждут (не говорите его): Тузик Он ещё не решил."
    )
    assert audit_entries("families.relatives_read") == [
        (f"staff:{world.staff[Role.RECEPTION].pk}", {"inquiries": 1})
    ]
    sent = officer.post(
        url + "decide/",
        {"match": match.pk, "kind": "letters", "language": "uk", "words": "Це моя мама"},
    )
    assert sent["Location"] == url
    decision = Decision.objects.get()
    assert decision.kind == "letters"
    assert decisions.statement_of(decision, ivanov.case, world.keyring) == {
        "statement": "Я згоден, щоб цій людині повідомили, що я живий і зареєстрований як "
        "військовополонений, і щоб ми могли обмінюватися листами й картками.",
        "words": "Це моя мама",
    }
    assert text_of(officer.get(url).content.decode(), f"decision-{match.pk}").startswith(
        "Его решение: Сказать это и разрешить письма и открытки с этим человеком (записано "
    )
    assert audit_entries("families.decision_recorded", case_ref=reference) == [
        (f"staff:{world.staff[Role.RECEPTION].pk}", {"kind": "letters"})
    ]
    bad = officer.post(url + "decide/", {"match": match.pk, "kind": "maybe", "language": "ru"})
    assert bad.status_code == 400
    assert "Что он решил" in text_of(bad.content.decode(), "decision-errors")
    assert Decision.objects.count() == 1


def test_only_his_officers_read_who_asks(world, ivanov, staff_client):
    mother = Inquirer()
    confirm(world, mother, ivanov)
    url = f"/ru/staff/case/{ivanov.case.reference}/relatives/"
    assert staff_client(Role.AFTERCARE).get(url).status_code == 200
    for role in (Role.TRACING, Role.INTAKE, Role.VERIFIER, Role.COORDINATOR, Role.ADMIN):
        assert staff_client(role).get(url).status_code == 404, role


def test_a_flagged_inquiry_stands_out_on_the_tracing_queue_with_those_alike(
    world, ivanov, staff_client
):
    suspicious = Inquirer()
    Inquirer(s1_surname="Иванова", s1_first_name="Олег")  # the same name asked about
    Inquirer(s1_surname="Сидоров", s1_first_name="Пётр")  # the same region
    decide(world, confirm(world, suspicious, ivanov), "flag", words="мама умерла")
    page = staff_client(Role.TRACING).get("/ru/staff/p/north/inquiries/").content.decode()
    flagged = text_of(page, f"flagged-{suspicious.inquiry.pk}")
    assert flagged.startswith(
        "Пленный сказал, что этот запрос исходит не от того, кем назвался: считайте его "
        "проверкой. Похожие: "
    )
    block = re.search(rf'id="flagged-{suspicious.inquiry.pk}">(.*?)</p>', page)
    assert block
    assert block.group(1).count('href="/ru/staff/p/north/inquiries/') == 2  # both others
    assert 'id="flagged-' not in page.replace(f'id="flagged-{suspicious.inquiry.pk}"', "")


def test_a_database_copy_holds_nothing_of_who_asks_or_what_he_said(world, ivanov):
    decide(world, confirm(world, Inquirer(), ivanov), "flag", words="мама умерла давно")
    raw = database_bytes()
    for typed in ("мама Галя", "Тузик", "мама умерла давно", "Как звали нашу собаку"):
        assert typed.encode() not in raw, typed


def test_a_key_rotation_reseals_who_asks_for_the_new_custody_key(world, ivanov, staff_client):
    from safepassage.vault import crypto

    match = confirm(world, Inquirer(), ivanov)
    decide(world, match, "letters", words="да")
    letter = letters.write_to_inquirer(
        ivanov.case,
        match.pk,
        kind="letter",
        text="Привет, мама",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    old = dict(world.keyring)
    new = rotate(world)
    match.refresh_from_db()
    letter.refresh_from_db()
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.unseal(old["custody"], bytes(match.for_custody))
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.unseal(old["custody"], bytes(letter.for_custody))
    asking = decisions.relatives_asking(ivanov.case, user=world.staff[Role.RECEPTION], keyring=new)
    assert asking[0].inquirer["inquirer_name"] == "мама Галя"
    standing = asking[0].decision
    assert standing is not None
    assert decisions.statement_of(standing, ivanov.case, new)["words"] == "да"
    assert asking[0].letters[0].body["text"] == "Привет, мама"
    # The families index key was re-sealed too: reception's new keys index as before.
    assert matching.index_key(world.programme, {"custody": new["custody"]}) == (
        matching.index_key(world.programme, {"families": old["families"]})
    )
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        matching.index_key(world.programme, {"custody": old["custody"]})


def test_the_tracing_figures_hide_small_counts_and_what_would_give_them_away(
    world, ivanov, staff_client, time_machine, settings
):
    settings.OUTREACH_SMALL_COUNT = 3
    yesterday = timezone.now() - timedelta(days=1)
    time_machine.move_to(yesterday)
    Inquirer()
    time_machine.move_to(yesterday + timedelta(days=1))
    for _ in range(4):
        Inquirer()
    decide(world, confirm(world, Inquirer(), ivanov), "share")
    release = inquirers.next_release(timezone.now())
    time_machine.move_to(release)
    releases.release_answers(release)
    page = staff_client(Role.TRACING).get("/ru/staff/p/north/inquiries/").content.decode()
    chart = text_of(page, "chart-inquiries-per-day")
    # One inquiry yesterday is hidden; today's five would give it away with the total of six,
    # so they are hidden too.
    first, second = (
        display.calendar_day(moment, display.staff_zone()).strftime("%d.%m")
        for moment in (yesterday, yesterday + timedelta(days=1))
    )
    assert f"{first}: < 3 {second}: < 3 " in chart
    assert ": 5 " not in chart
    assert text_of(page, "inquiries-total") == "Запросов за последние 14 дней: 6."
    released = text_of(page, "answers-released")
    assert released.endswith("< 3 0 0")


def test_an_inquirer_who_asks_about_many_names_stands_out(world, staff_client):
    """Two inquiries from the same «мама Галя», Тамбовская область, naming four people."""
    from tests.families.test_inquiries import ask

    ask(Client(), s1_surname="Орлов", s2_surname="Петров", s2_first_name="Олег")
    ask(Client(), s1_surname="Сидоров", s2_surname="Козлов", s2_first_name="Иван")
    Inquirer(s1_surname="Смирнов")  # the same person again: five names
    other = Client()
    form = other.get("/ru/north/family/").content.decode()
    other.post(
        "/ru/north/family/",
        {
            "token": form_token(form),
            "relationship": "wife",
            "inquirer_name": "Лена",
            "language": "ru",
            "s1_surname": "Орлов",
            "s1_first_name": "Иван",
        },
    )
    page = staff_client(Role.TRACING).get("/ru/staff/p/north/inquiries/").content.decode()
    lena = Inquiry.objects.latest("pk")
    galya = Inquiry.objects.exclude(pk=lena.pk)
    for inquiry in galya:
        assert text_of(page, f"many-{inquiry.pk}") == (
            "Один и тот же спрашивающий спрашивает на этой странице о 5 разных людях: "
            "кто спрашивает о многих, возможно, ищет наугад."
        )
    assert f'id="many-{lena.pk}"' not in page
