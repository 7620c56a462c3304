"""The bot's conversation with a relative (issue #24): asking whether a soldier is held, step by
step with the web form's own fields, the inquiry codename shown once, and coming back with it
to read the answer and the letters he sent her (she answers them on the website). Every step
goes through the inquirer API the web uses (families/inquirers.py), so the same codename works
on both and the answer is the same words.

As for applicants (conversation.py): every message of his that carried an answer or a
codename is deleted, his codename disappears after a few minutes, and the answer he reads is
deleted after BOT_SIGNED_IN_SECONDS: nothing on a seized phone says whom he asked about, nor
what he was told. A chat sends only a few inquiries an hour, as a browser session does.
"""

import asyncio
from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safepassage.bot.chats import Chat, Chats
from safepassage.bot.conversation import delete_later, forget_message, keyboard_of, tell
from safepassage.cases import pacing
from safepassage.families import flood, inquirers, letters
from safepassage.families.flood import INQUIRIES
from safepassage.families.forms import RELATIONSHIPS, InquiryForm
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.programmes.services import programme_by_slug

router = Router(name="families")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

STEP = "family:"
# The web form's fields, in its order; the first person asked about only.
ASKED = (
    "inquirer_name",
    "region",
    "question",
    "answer",
    "s1_surname",
    "s1_first_name",
    "s1_patronymic",
    "s1_born",
    "s1_place_of_birth",
    "s1_unit",
    "s1_last_heard",
    "s1_call_sign",
    "s1_marks",
)
REQUIRED = frozenset({"inquirer_name", "s1_surname", "s1_first_name"})


class AsksARelative(Filter):
    """His chat is in the middle of an inquiry (its step begins with STEP)."""

    async def __call__(self, message: Message, chats: Chats) -> bool:
        return chats.get(message.chat.id).step.startswith(STEP)


def _field(name: str) -> Any:
    return InquiryForm().fields[name]


async def _ask(message: Message, chat: Chat, name: str) -> None:
    chat.step = STEP + name
    field = _field(name)
    text = str(field.label) + (f"\n{field.help_text}" if field.help_text else "")
    keyboard = None if name in REQUIRED else keyboard_of([(_("Skip"), "family-skip")])
    await message.answer(text, reply_markup=keyboard)


def _next(chat: Chat) -> str | None:
    asked = [name for name in ASKED if not (name == "answer" and not chat.answers.get("question"))]
    return next((name for name in asked if name not in chat.answers), None)


def _ticket(programme_slug: str) -> str:
    programme = programme_by_slug(programme_slug)
    return pacing.issue(programme, stream=INQUIRIES) if programme else ""


@router.callback_query(F.data == "family")
async def begin(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    message: Message = query.message  # type: ignore[assignment]
    chat = chats.get(message.chat.id)
    chat.intent, chat.answers, chat.applicant = "family", {}, None
    with translation.override(chat.language):
        await query.answer()
        if not chats.may_inquire(message.chat.id, settings.FAMILIES_INQUIRIES_PER_SESSION):
            await message.answer(
                _("You have sent several inquiries in the last hour. Wait an hour.")
            )
            return
        chat.ticket = await sync_to_async(_ticket)(programme_slug)
        chat.step = STEP + "relationship"
        rows = [[(str(label), f"family-rel:{code}")] for code, label in RELATIONSHIPS]
        await message.answer(str(_field("relationship").label), reply_markup=keyboard_of(*rows))


@router.callback_query(F.data.startswith("family-rel:") | (F.data == "family-skip"))
async def choose(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    message: Message = query.message  # type: ignore[assignment]
    chat = chats.get(message.chat.id)
    name = chat.step.removeprefix(STEP)
    with translation.override(chat.language):
        await query.answer()
        code = (query.data or "").removeprefix("family-rel:")
        if name == "relationship" and code in dict(RELATIONSHIPS):
            chat.answers["relationship"] = code
        elif name in ASKED and name not in REQUIRED and query.data == "family-skip":
            chat.answers[name] = ""
        else:
            return
        await _go_on(message, chat, chats, programme_slug)


@router.message(F.text, AsksARelative())
async def answer(message: Message, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(message.chat.id)
    name = chat.step.removeprefix(STEP)
    with translation.override(chat.language):
        text = (message.text or "").strip()
        await forget_message(message)
        if chats.too_fast(chat):
            await message.answer(_("Too many messages. Wait a minute, then go on."))
            return
        if name == "codename":
            await _read_answer(message, chat, text)
            return
        if name not in ASKED:
            return
        try:
            chat.answers[name] = _field(name).clean(text)
        except ValidationError as error:
            await message.answer(" ".join(str(m) for m in error.messages))
            return
        await _go_on(message, chat, chats, programme_slug)


async def _go_on(message: Message, chat: Chat, chats: Chats, programme_slug: str) -> None:
    following = _next(chat)
    if following is not None:
        await _ask(message, chat, following)
        return
    chat.step = ""
    receipt = await sync_to_async(_submit)(chat, programme_slug)
    if isinstance(receipt, pacing.Verdict):  # a flood: his answers wait for their slot
        assert receipt.not_before is not None
        when = display.moment(pacing.shown_time(receipt.not_before), display.applicant_zone())
        await message.answer(
            _(
                "Many inquiries are arriving just now, and they are taken in turn. Your "
                "inquiry is not sent yet; your answers are kept. Press the button below at "
                "this time or later: %(time)s."
            )
            % {"time": when},
            reply_markup=keyboard_of([(_("Send the inquiry"), "family-send")]),
        )
        return
    chat.answers, chat.ticket = {}, ""
    if isinstance(receipt, str):
        await message.answer(receipt)
        return
    chats.note_inquiry(message.chat.id)
    day = display.day(receipt.answer_by)
    shown = await message.answer(
        "\n\n".join(
            [
                _("Received. We will answer here by %(when)s.") % {"when": day},
                _(
                    "This is your inquiry's codename. Learn it by heart; do not write it down "
                    "or take a picture of it."
                ),
                receipt.codename,
                _(
                    "We never ask for money, bank details or a telephone number, and we answer "
                    "only here, on this site, under your codename."
                ),
            ]
        ),
        protect_content=True,
        reply_markup=keyboard_of([(_("Come back with the codename"), "family-enter")]),
    )
    asyncio.get_running_loop().create_task(
        delete_later(message.bot, shown.chat.id, shown.message_id)  # type: ignore[arg-type]
    )


def _submit(chat: Chat, programme_slug: str) -> inquirers.Receipt | pacing.Verdict | str:
    programme = programme_by_slug(programme_slug)
    if programme is None:
        return _("Something went wrong. Please try again in a few minutes.")
    verdict = pacing.admit(chat.ticket, programme, stream=INQUIRIES)
    if not verdict.admitted:
        chat.ticket = verdict.ticket
        return verdict
    given = {name: str(chat.answers.get(name) or "") for name in ASKED}
    inquirer = {"relationship": chat.answers.get("relationship", "other")}
    inquirer |= {name: given[name] for name in ("inquirer_name", "region", "question", "answer")}
    sought = {name.removeprefix("s1_"): given[name] for name in ASKED if name.startswith("s1_")}
    try:
        return inquirers.submit_inquiry(
            programme,
            inquirer,
            [sought],
            language=chat.language,
            ticket_hash=flood.ticket_hash(chat.ticket),
        )
    except Refused as why:
        return why.reason


@router.callback_query(F.data == "family-send")
async def send_again(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    message: Message = query.message  # type: ignore[assignment]
    chat = chats.get(message.chat.id)
    with translation.override(chat.language):
        await query.answer()
        if chat.intent == "family" and chat.ticket and _next(chat) is None:
            await _go_on(message, chat, chats, programme_slug)


@router.callback_query(F.data == "family-enter")
async def ask_codename(query: CallbackQuery, chats: Chats) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    chat.step = STEP + "codename"
    with translation.override(chat.language):
        await query.answer()
        await query.message.answer(_("Your inquiry's codename"))  # type: ignore[union-attr]


def _answer_text(codename: str) -> str | None:
    """What the web's answer page says, as text; None for a codename of no inquiry."""
    inquiry = inquirers.find(codename)
    if inquiry is None:
        return None
    day = display.day(inquirers.next_release_day(timezone.now()))
    received = [
        f"{_('A card from him') if shown.letter.kind == 'card' else _('A letter from him')}:\n"
        f"{shown.body.get('text', '')}"
        for shown in letters.inbox_of(inquiry, inquirers.own_key(inquiry, codename))
        if shown.to_inquirer
    ]
    return "\n\n".join(
        [
            *inquirers.answer_of(inquiry),
            *received,
            _("Answers are given here, all at once, at fixed times; come back by %(when)s.")
            % {"when": day},
            _(
                "We do not answer here whether someone has died: the ICRC Central Tracing "
                "Agency and the national information bureau answer such questions."
            ),
        ]
    )


async def _read_answer(message: Message, chat: Chat, codename: str) -> None:
    chat.step = ""
    text = await sync_to_async(_answer_text)(codename)
    if text is None:
        await message.answer(
            _("No inquiry opens with that codename. Check the words and their order."),
            reply_markup=keyboard_of([(_("Come back with the codename"), "family-enter")]),
        )
        return
    await tell(message, chat, text)
