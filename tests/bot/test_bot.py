"""The Telegram bot (issue #12), driven through the real dispatcher with no network."""

import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.bot.offline import CHAT_ID
from safepassage.cases.models import Case
from safepassage.passage import notices
from safepassage.passage.models import ReceivingUnit, Sector
from safepassage.programmes.roles import Role
from tests.conftest import enter, submit
from tests.fixtures.crossings import notify, verified_with_codename
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def apply(telegram, **answers: str) -> str:
    """Apply through the bot with the two required answers and some optional ones; the
    codename it shows."""
    telegram.send("/start")
    telegram.press("apply")
    telegram.send(answers.get("direction", "У водонапорной башни"))
    telegram.press("alone")
    for field in ("surname", "first_names", "rank", "date_of_birth", "service_number"):
        if field in answers:
            telegram.send(answers[field])
        else:
            telegram.press("skip")
    for _ in ("unit", "equipment"):
        telegram.press("skip")
    telegram.send(answers.get("message", "Когда можно идти?"))
    shown = telegram.sent()[-1]
    assert shown.protect_content is True
    found = re.search(r"\n\n(.+)\n\n", shown.text)
    assert found, shown.text
    return found.group(1)


def test_the_bot_starts_with_the_safety_notice_in_russian(telegram):
    telegram.send("/start LEAF-7")
    assert "Telegram может прочитать этот чат" in telegram.last()
    assert telegram.buttons() == [
        "apply",
        "ask",
        "enter",
        "family",
        "rights",
        "lang:uk",
        "lang:be",
        "lang:en",
    ]
    telegram.press("lang:en")
    assert "Telegram can read this chat" in telegram.last()
    telegram.press("lang:uk")
    assert "Telegram може прочитати цей чат" in telegram.last()
    assert telegram.buttons() == [
        "apply",
        "ask",
        "enter",
        "family",
        "rights",
        "lang:ru",
        "lang:be",
        "lang:en",
    ]


def test_applying_in_the_bot_makes_a_case_and_the_codename_works_on_the_web(telegram):
    codename = apply(telegram, surname="Журавлёв", date_of_birth="07.03.1994")
    case = Case.objects.get()
    assert case.channel == "telegram"
    assert case.state == "applied"
    assert case.awaiting_reply
    assert len(codename.split()) == 8
    # Every message of his that carried an answer is deleted by the bot.
    assert len(telegram.deleted()) == 4  # direction, surname, date of birth, message
    telegram.press("memorised")
    assert len(telegram.deleted()) == 5  # and the codename, once he has it
    web = Client()
    enter(web, codename)
    assert "Когда можно идти?" in web.get("/ru/my/").content.decode()


def test_a_wrong_answer_gets_the_web_forms_own_message(telegram):
    telegram.send("/start")
    telegram.press("apply")
    telegram.send("У водонапорной башни")
    telegram.press("group")
    telegram.send("500")
    assert "не больше 50 человек" in telegram.last()
    telegram.send("3")
    assert "Фамилия" in telegram.last()


def test_coming_back_with_the_codename_reads_the_reply_and_writes_one(
    world, telegram, staff_client
):
    codename = submit(Client(), lang="ru")
    case = Case.objects.get()
    verifier = staff_client(Role.VERIFIER)
    verifier.post(f"/en/staff/case/{case.reference}/message/", {"text": "Где вы сейчас?"})
    telegram.send("/start")
    telegram.press("enter")
    sent_codename = telegram.send(codename)
    assert sent_codename in telegram.deleted()
    texts = "\n".join(m.text for m in telegram.sent()[-4:])
    assert "Где вы сейчас?" in texts
    assert "Ваша заявка получена" in texts
    telegram.press("write")
    before = len(telegram.sent())
    telegram.send("В тылу, под Курском")
    assert "Отправлено" in "\n".join(m.text for m in telegram.sent()[before:])
    web = Client()
    enter(web, codename)
    assert "В тылу, под Курском" in web.get("/ru/my/").content.decode()


def test_a_wrong_codename_is_refused_without_saying_more(telegram):
    telegram.send("/start")
    telegram.press("enter")
    telegram.send("совсем не то слово")
    assert "кодовое слово не известно" in telegram.last().lower()


def test_nothing_of_the_telegram_user_is_stored_or_audited(telegram):
    apply(telegram, surname="Журавлёв")
    raw = database_bytes()
    for secret in (str(CHAT_ID), "ivan_z", "Ivan"):
        assert secret.encode() not in raw, secret
    details = " ".join(str(d) for d in AuditEvent.objects.values_list("detail", flat=True))
    assert str(CHAT_ID) not in details
    assert len(telegram.chats) == 1  # only in this process's memory, under a keyed hash
    assert CHAT_ID not in {k for k in telegram.chats._chats}


def test_an_unknown_campaign_code_is_ignored(world, telegram):
    telegram.send("/start LEAF-7")
    telegram.press("ask")
    telegram.send("Херсон")
    telegram.press("alone")
    telegram.send("Это безопасно?")
    case = Case.objects.get()
    assert case.state == "inquiry"
    assert case.campaign_id is None


def test_without_a_token_the_bot_command_says_so_and_exits_cleanly(capsys, settings):
    from django.core.management import call_command

    settings.TELEGRAM_TOKEN = ""
    call_command("bot")
    assert "No Telegram token" in capsys.readouterr().out


def test_photos_contacts_and_places_are_deleted_and_not_kept(telegram):
    from aiogram.types import Contact, Update

    telegram.send("/start")
    message = telegram._message("")
    message = message.model_copy(
        update={"text": None, "contact": Contact(phone_number="+70000000000", first_name="I")}
    )
    telegram._feed(Update(update_id=999, message=message))
    assert message.message_id in telegram.deleted()
    assert "Не отправляйте фото, контакты и места" in telegram.last()


def test_a_duress_codename_in_the_bot_shows_the_decoy_and_reaches_no_one(world, telegram):
    from safepassage.cases.models import Message
    from safepassage.intake import applicants

    codename = submit(Client(), lang="ru")
    real = applicants.enter(codename)
    assert real is not None
    duress = applicants.new_duress_codename(real, "ru")
    assert duress is not None
    telegram.send("/start")
    telegram.press("enter")
    telegram.send(duress)
    assert "Ваша заявка получена" in telegram.last()  # the same page a real one gets
    telegram.press("write")
    telegram.send("Меня заставили")
    assert Message.objects.count() == 1  # his real first message only: nothing reached staff
    # The verifiers are warned, as when the duress codename is used on the web: sealed, read
    # by a key holder's session.
    from safepassage.cases import sign_ins
    from safepassage.cases.models import ProbeSignal
    from safepassage.programmes.roles import Role

    assert AuditEvent.objects.filter(action="applicant.duress").count() == 0
    sign_ins.read_new(world.programme, world.keyring, user=world.staff[Role.VERIFIER])
    assert ProbeSignal.objects.filter(kind=ProbeSignal.Kind.DURESS).count() == 1


def test_the_bot_reads_the_crossing_instructions_and_he_confirms(world, telegram, settings):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    unit = ReceivingUnit.objects.create(programme=world.programme, name="47th brigade")
    unit.liaisons.add(world.staff[Role.LIAISON])
    orchard = Sector.objects.create(
        programme=world.programme,
        name="Orchard",
        description="The burnt orchard with the white water tower on your left",
        approach="From the south-east",
        receiving_unit=unit,
    )
    case, codename = verified_with_codename(Client(), lang="ru")
    crossing = notify(world, case, orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    telegram.send("/start")
    telegram.press("enter")
    telegram.send(codename)
    texts = "\n".join(m.text for m in telegram.sent())
    assert "The burnt orchard" not in texts  # only when he asks
    assert "instructions" in telegram.buttons()
    crossing.refresh_from_db()
    assert crossing.instructions_shown_at is None
    telegram.press("instructions")
    texts = "\n".join(m.text for m in telegram.sent())
    assert "Ваш переход" in texts
    assert "московское время" in texts
    assert "The burnt orchard with the white water tower" in texts
    assert "Поднимите обе руки" in texts
    assert all(m.protect_content for m in telegram.sent()[-3:])
    assert "confirm" in telegram.buttons()
    telegram.press("confirm")
    crossing.refresh_from_db()
    assert crossing.applicant_confirmed_at is not None


def test_a_flood_from_one_chat_is_slowed(telegram):
    telegram.send("/start")
    for _ in range(40):
        telegram.send("hello")
    assert "Подождите минуту" in telegram.last()


def test_the_rights_page_is_a_command_and_a_button_and_leaves_the_phone(telegram, settings):
    from asgiref.sync import async_to_sync

    from safepassage.bot.conversation import PENDING, forget_everything

    telegram.send("/start")
    command = telegram.send("/rights")
    shown = telegram.sent()[-1]
    assert shown.text.startswith("Ваши права и риски\nВерсия от 07.12.2026.")
    assert "Что вы обязаны сообщить в плену" in shown.text
    assert "от 3 до 10 лет" in shown.text
    assert shown.protect_content is True
    assert command in telegram.deleted()  # his /rights does not stay in the chat either
    telegram.press("lang:en")
    telegram.press("rights")
    assert telegram.last().startswith("Your rights and the risks\nVersion of 7 Dec 2026.")
    assert "What we will never ask" in telegram.last()
    # Both are deleted on time, or at shutdown at the latest, as for a signed-in applicant.
    waiting = {message_id for chat_id, message_id in PENDING if chat_id == CHAT_ID}
    assert len(waiting) == 2
    async_to_sync(forget_everything)(telegram.bot)
    assert waiting <= telegram.deleted()


def test_the_shown_codename_is_deleted_after_a_few_minutes(telegram, settings):
    from asgiref.sync import async_to_sync

    from safepassage.bot.conversation import delete_later

    settings.BOT_CODENAME_SECONDS = 0
    async_to_sync(delete_later)(telegram.bot, 1, 4242)
    assert 4242 in telegram.deleted()


def test_he_cancels_his_application_in_the_bot(telegram):
    codename = submit(Client(), lang="ru")
    telegram.send("/start")
    telegram.press("enter")
    telegram.send(codename)
    assert "cancel" in telegram.buttons()
    telegram.press("cancel")
    assert "Отменить заявку?" in telegram.last()
    telegram.press("cancel_yes")
    assert Case.objects.get().state == "cancelled"
    assert "Вы отменили заявку" in telegram.last()


def test_a_quiet_chat_is_forgotten_within_the_hour():
    from safepassage.bot.chats import LIFETIME, Chats

    now = [0.0]
    chats = Chats(clock=lambda: now[0])
    chats.get(CHAT_ID).step = "codename"
    now[0] += LIFETIME - 1
    assert chats.get(CHAT_ID).step == "codename"  # still within the hour of quiet
    now[0] += LIFETIME
    assert chats.get(CHAT_ID).step == ""  # a new chat
    assert len(chats) == 1


def test_nothing_shown_to_a_signed_in_applicant_stays_on_his_phone(telegram, settings):
    """Issue #22, point 5: his status, our messages and his words are gone at sign-out and
    after a few minutes; his own words are never quoted back; a clean stop deletes the rest."""
    from asgiref.sync import async_to_sync

    from safepassage.bot import conversation

    conversation.PENDING.clear()  # what earlier tests' chats left in this process
    codename = submit(Client(), lang="ru", message="Хочу сдаться, я в Токмаке")
    telegram.send("/start")
    telegram.press("enter")
    telegram.send(codename)
    texts = "\n".join(m.text for m in telegram.sent())
    assert "Хочу сдаться" not in texts  # the words he sent are never quoted back
    telegram.press("write")
    telegram.send("Когда?")
    shown = {message_id for _chat, message_id in conversation.PENDING}
    assert len(shown) >= 3
    assert all(m.protect_content for m in telegram.sent()[-3:])
    telegram.press("leave")
    assert shown <= telegram.deleted()
    assert telegram.last() == "Вы вышли. Удалите этот чат сейчас."
    assert not conversation.PENDING
    # A message still shown when the process stops cleanly goes at shutdown.
    conversation.PENDING[(telegram.chat_id, 5151)] = 0
    async_to_sync(conversation.forget_everything)(telegram.bot)
    assert 5151 in telegram.deleted()
    assert not conversation.PENDING


def test_the_safety_notice_names_the_programmes_official_onion_address(world, telegram):
    """Issue #27, point 8: the notice read an environment variable while /verify showed the
    programme's official list; now both read the official list."""
    from safepassage.outreach.models import OfficialChannels

    onion = "c" * 56 + ".onion"
    telegram.send("/start")
    assert ".onion" not in telegram.last()
    OfficialChannels.objects.create(programme=world.programme, onion_address=onion)
    telegram.send("/start")
    assert f"Tor Browser: {onion}" in telegram.last()
    telegram.send("/verify")
    assert onion in telegram.last()


def test_the_bot_waits_for_the_programmes_schedule_like_the_web_form(world, telegram, settings):
    settings.INTAKE_FLOOD_PER_MINUTE = 1
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        submit(Client())
        submit(Client())  # the programme is flooded
        telegram.send("/start")
        telegram.press("apply")
        telegram.send("У водонапорной башни")
        telegram.press("alone")
        for _ in range(7):
            telegram.press("skip")
        telegram.send("Когда можно идти?")
        said = telegram.last()
        assert said.startswith(
            "Сейчас приходит много заявок, и их принимают по очереди. Заявка ещё не "
            "отправлена. Ваши ответы сохранены. Нажмите кнопку ниже в это время или позже: "
        )
        assert "московское время (UTC+3)" in said
        assert telegram.buttons() == ["send"]
        assert not Case.objects.filter(channel="telegram").exists()
        telegram.press("send")  # too soon: the same wait, nothing stored
        assert not Case.objects.filter(channel="telegram").exists()
        clock.shift(120)
        telegram.press("send")
        assert "Ваше кодовое слово" in telegram.last()
        case = Case.objects.get(channel="telegram")
        assert case.state == "applied"


def test_one_chat_sends_only_a_few_applications_an_hour_even_after_signing_out(
    world, telegram, settings
):
    settings.INTAKE_APPLICATIONS_PER_SESSION = 1
    codename = apply(telegram)
    telegram.send("/start")
    telegram.press("enter")
    telegram.send(codename)
    telegram.press("leave")  # signing out forgets the chat, not what it sent
    telegram.send("/start")
    telegram.press("apply")
    assert telegram.last() == (
        "За последний час вы отправили несколько заявок. Чтобы написать нам снова, войдите "
        "со своим кодовым словом."
    )
    assert telegram.buttons() == ["enter"]
    assert Case.objects.count() == 1


def test_what_a_killed_process_still_showed_is_deleted_when_it_starts_again(telegram):
    """Issue #22, point 5: the pending deletions outlive the process, sealed: a copy of the
    database does not name the chat."""
    from asgiref.sync import async_to_sync

    from safepassage.bot import conversation, pending
    from safepassage.bot.models import PendingDeletion

    conversation.PENDING.clear()
    codename = submit(Client(), lang="ru")
    telegram.send("/start")
    telegram.press("enter")
    telegram.send(codename)
    shown = {message_id for _chat, message_id in conversation.PENDING}
    assert shown
    assert PendingDeletion.objects.count() == len(shown)
    assert str(CHAT_ID).encode() not in database_bytes()
    lengths = {len(row["sealed"]) for row in PendingDeletion.objects.values("sealed")}
    assert len(lengths) == 1  # one length, whatever the chat and message numbers
    pending.remember(7777, 1, 2)  # another programme's bot: not ours to sweep
    conversation.PENDING.clear()  # killed outright: its memory is gone
    async_to_sync(conversation.sweep_left_behind)(telegram.bot)
    assert shown <= telegram.deleted()
    assert pending.left_behind(42) == []
    assert pending.left_behind(7777) == [(1, 2)]
