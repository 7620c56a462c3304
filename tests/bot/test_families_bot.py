"""A relative asks in the bot (issue #24): the web form's fields, the inquiry codename shown
once and gone, the same answer as the web, the same bytes whatever the truth; nothing he typed
stays in the chat."""

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.bot.offline import Telegram
from safepassage.families import inquirers, releases, tracing
from safepassage.families.models import Inquiry
from safepassage.programmes.roles import Role
from tests.conftest import submit, text_of
from tests.families.test_decisions import decide

pytestmark = pytest.mark.django_db(transaction=True)


def ask_in_the_bot(telegram: Telegram, surname: str = "Иванов", first: str = "Сергей") -> str:
    """A mother's inquiry, step by step; the inquiry codename the bot shows."""
    telegram.send("/start")
    telegram.press("family")
    assert "family-rel:mother" in telegram.buttons()
    telegram.press("family-rel:mother")
    telegram.send("мама Галя")
    telegram.press("family-skip")  # region
    telegram.send("Как звали нашу собаку?")
    telegram.send("Тузик")
    telegram.send(surname)
    telegram.send(first)
    telegram.press("family-skip")  # patronymic
    telegram.send("1994")
    for _ in range(5):  # place of birth, unit, last heard from, call sign, marks
        telegram.press("family-skip")
    shown = telegram.sent()[-1]
    assert shown.protect_content is True
    return shown.text.split("\n\n")[2]


def read_in_the_bot(telegram: Telegram, codename: str) -> str:
    telegram.press("family-enter")
    telegram.send(codename)
    return telegram.last()


def test_a_mother_asks_in_the_bot_and_her_codename_works_on_the_web(world, telegram):
    codename = ask_in_the_bot(telegram)
    assert len(codename.split()) == 8
    receipt = telegram.last()
    assert receipt.startswith("Получено. Мы ответим здесь до ")
    assert "никогда не просим денег" in receipt
    inquiry = Inquiry.objects.get()
    assert inquirers.opened(inquiry, world.keyring["families"]) == {
        "inquirer": {
            "relationship": "mother",
            "inquirer_name": "мама Галя",
            "region": "",
            "question": "Как звали нашу собаку?",
            "answer": "Тузик",
            "language": "ru",
        },
        "sought": [
            {
                "surname": "Иванов",
                "first_name": "Сергей",
                "patronymic": "",
                "born": "1994",
                "place_of_birth": "",
                "unit": "",
                "last_heard": "",
                "call_sign": "",
                "marks": "",
            }
        ],
    }
    web = Client()
    assert web.post("/ru/family/enter/", {"codename": codename})["Location"] == (
        "/ru/family/answer/"
    )
    on_the_web = text_of(web.get("/ru/family/answer/").content.decode(), "answer")
    in_the_bot = read_in_the_bot(telegram, codename)
    assert in_the_bot.split("\n\n")[0] == on_the_web
    assert telegram.sent()[-1].protect_content is True


def test_the_bot_deletes_what_he_typed_and_says_no_more_for_a_wrong_codename(world, telegram):
    telegram.send("/start")
    telegram.press("family")
    telegram.press("family-rel:wife")
    typed = telegram.send("Лена")
    assert typed in telegram.deleted()
    telegram.press("family-enter")
    wrong = telegram.send("один два три")
    assert wrong in telegram.deleted()
    assert telegram.last() == (
        "С этим кодовым именем запрос не открывается. Проверьте слова и их порядок."
    )


def test_the_bot_answers_the_same_words_whatever_the_truth(world, ivanov, time_machine):
    """Nobody by that name; a registered prisoner who declined; a match waiting for him; a man
    who applied and has not crossed: the bot's answers are the same, before and after a
    release."""
    submit(Client(), surname="Петров", first_names="Олег")
    chats = {
        name: Telegram(world.programme.slug, chat_id=1000 + n)
        for n, name in enumerate(("nobody", "declined", "waiting", "applied"))
    }
    codenames = {
        "nobody": ask_in_the_bot(chats["nobody"], "Несуществующий", "Никто"),
        "declined": ask_in_the_bot(chats["declined"]),
        "waiting": ask_in_the_bot(chats["waiting"]),
        "applied": ask_in_the_bot(chats["applied"], "Петров", "Олег"),
    }
    receipts = {
        name: chat.sent()[-1].text.replace(codenames[name], "…") for name, chat in chats.items()
    }
    assert len(set(receipts.values())) == 1
    for name in ("declined", "waiting"):
        inquiry = Inquiry.objects.order_by("pk")[list(codenames).index(name)]
        match = tracing.confirm_match(
            world.programme,
            inquiry.pk,
            sought=1,
            prisoner_id=ivanov.pk,
            user=world.staff[Role.TRACING],
            key=world.keyring["families"],
        )
        if name == "declined":
            decide(world, match, "decline")
    before = {name: read_in_the_bot(chats[name], codenames[name]) for name in chats}
    assert len(set(before.values())) == 1
    release = inquirers.next_release(timezone.now())
    time_machine.move_to(release)
    releases.release_answers(release)
    after = {name: read_in_the_bot(chats[name], codenames[name]) for name in chats}
    assert len(set(after.values())) == 1
    assert after["nobody"].split("\n\n")[0] == before["nobody"].split("\n\n")[0]


def test_a_chat_sends_only_a_few_inquiries_an_hour(world, telegram, settings):
    settings.FAMILIES_INQUIRIES_PER_SESSION = 1
    ask_in_the_bot(telegram)
    telegram.press("family")
    assert telegram.last() == "Вы отправили несколько запросов за последний час. Подождите час."
    assert Inquiry.objects.count() == 1


def test_in_a_flood_the_bot_keeps_her_answers_and_sends_them_at_their_time(
    world, settings, time_machine
):
    settings.FAMILIES_FLOOD_PER_MINUTE = 1
    time_machine.move_to(timezone.now())
    ask_in_the_bot(Telegram(world.programme.slug, chat_id=2001))
    ask_in_the_bot(Telegram(world.programme.slug, chat_id=2002))
    late = Telegram(world.programme.slug, chat_id=2003)
    late.send("/start")
    late.press("family")
    late.press("family-rel:mother")
    late.send("мама Галя")
    late.press("family-skip")  # region
    late.press("family-skip")  # question
    late.send("Орлов")
    late.send("Иван")
    for _ in range(7):  # patronymic, born, and the five more
        late.press("family-skip")
    assert late.last().startswith("Сейчас приходит много запросов, и их принимают по очереди.")
    assert late.buttons() == ["family-send"]
    assert Inquiry.objects.count() == 2
    time_machine.shift(120)
    late.press("family-send")
    assert late.last().startswith("Получено. Мы ответим здесь до ")
    assert Inquiry.objects.count() == 3


def test_she_reads_his_letter_in_the_bot_and_it_does_not_stay(world, ivanov, time_machine):
    from tests.families.test_letters import passed_letter

    telegram = Telegram(world.programme.slug, chat_id=3001)
    codename = ask_in_the_bot(telegram)
    match = tracing.confirm_match(
        world.programme,
        Inquiry.objects.get().pk,
        sought=1,
        prisoner_id=ivanov.pk,
        user=world.staff[Role.TRACING],
        key=world.keyring["families"],
    )
    decide(world, match, "letters")
    passed_letter(world, ivanov.case, match, "Мама, я жив.")
    release = inquirers.next_release(timezone.now())
    time_machine.move_to(release)
    releases.release_answers(release)
    shown = read_in_the_bot(telegram, codename)
    assert "Письмо от него:\nМама, я жив." in shown.split("\n\n")
    assert telegram.sent()[-1].protect_content is True  # not forwarded, like all she is shown
