"""The Telegram bot's conversation (aiogram 3): the safety notice, applying step by step with
the web form's own fields and validation, the codename shown once, coming back with it to
read and send messages, read instructions, confirm or cancel. Every step goes through the
applicant API the web uses (cases.submission, intake.applicants), so the same codename works
on both, a duress codename included.

Answer-only: the bot replies inside the update it handles and never writes first. It keeps
nothing of the Telegram user (chats.py), deletes every message of his that carried an answer
or a codename, never asks for a contact or a location, works in private chats only, and puts
nothing of a case in button data. Nothing it shows a signed-in applicant stays on his phone:
every such message goes after BOT_SIGNED_IN_SECONDS and all of them at sign-out; his
instructions come only when he asks; his own words are never quoted back (issue #22, point 5).

Over 400 lines because it is one conversation, read top to bottom in the order he meets it;
what it remembers and deletes is kept apart (chats.py, pending.py).
"""

import asyncio
import contextlib
import re
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from safepassage.bot import pending
from safepassage.bot.chats import Chat, Chats
from safepassage.cases import pacing, submission
from safepassage.cases.models import Case
from safepassage.intake import applicants
from safepassage.intake.forms import ApplicationForm
from safepassage.lib import display
from safepassage.lib import rights as lib_rights
from safepassage.outreach import attribution
from safepassage.programmes.services import programme_by_slug

router = Router(name="applicant")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
CAMPAIGN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# The web form's fields, asked one at a time: the two it requires, then the rest, skippable.
REQUIRED = ("direction", "group")
OPTIONAL = (
    "surname",
    "first_names",
    "rank",
    "date_of_birth",
    "service_number",
    "unit",
    "equipment",
    "message",
)


def keyboard_of(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in rows
        ]
    )


def _menu(chat: Chat) -> InlineKeyboardMarkup:
    others = [code for code in LANGUAGES if code != chat.language]
    return keyboard_of(
        [(_("Apply to cross over"), "apply")],
        [(_("Only ask a question first"), "ask")],
        [(_("I have a codename"), "enter")],
        [(_("Ask whether a relative is held"), "family")],
        [(_("Your rights and the risks"), "rights")],
        [(display.own_name(code), f"lang:{code}") for code in others],
    )


def _onion_of(programme_slug: str) -> str:
    from safepassage.outreach.services import channels_of  # the official list, one source

    programme = programme_by_slug(programme_slug)
    return channels_of(programme).onion_address if programme else ""


async def _notice(programme_slug: str) -> str:
    """The safety notice, pointing to the onion address the programme lists as official
    (the same the public page, the leaflets and /verify give)."""
    onion = await sync_to_async(_onion_of)(programme_slug)
    return _(
        "Safety first. Telegram can read this chat, and may hand your phone number and "
        "address to a court. The safer way is our website in Tor Browser%(onion)s. When you "
        "finish, delete this chat; turn on auto-delete for it now. We never ask for money."
    ) % {"onion": f": {onion}" if onion else ""}


async def forget_message(message: Message) -> None:
    """His message carried an answer or a codename: it does not stay in the chat."""
    with contextlib.suppress(TelegramBadRequest):  # already gone, or older than allowed
        await message.delete()


# --- Start ---------------------------------------------------------------------------------


@router.message(CommandStart())
async def start(
    message: Message, command: CommandObject, chats: Chats, programme_slug: str
) -> None:
    chat = chats.get(message.chat.id)
    chat.step, chat.answers, chat.applicant = "", {}, None
    if command.args and CAMPAIGN.match(command.args):
        chat.campaign = command.args  # a leaflet's code, and nothing else
    with translation.override(chat.language):
        await message.answer(await _notice(programme_slug), reply_markup=_menu(chat))


@router.callback_query(F.data.startswith("lang:"))
async def language(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    wanted = (query.data or "").removeprefix("lang:")
    chat.language = wanted if wanted in LANGUAGES else "ru"
    with translation.override(chat.language):
        await query.answer()
        await query.message.answer(await _notice(programme_slug), reply_markup=_menu(chat))  # type: ignore[union-attr]


# --- Applying --------------------------------------------------------------------------------


def _prompt(name: str) -> tuple[str, InlineKeyboardMarkup | None]:
    field = ApplicationForm.base_fields[name]
    text = str(field.label)
    if field.help_text:
        text += "\n" + str(field.help_text)
    if name == "group":
        return text, keyboard_of([(_("Alone"), "alone"), (_("In a group"), "group")])
    if name in OPTIONAL:
        return text, keyboard_of([(_("Skip"), "skip")])
    return text, None


async def _ask(message: Message, chat: Chat, name: str) -> None:
    chat.step = name
    text, keyboard = _prompt(name)
    await message.answer(text, reply_markup=keyboard)


@router.callback_query(F.data.in_({"apply", "ask"}))
async def begin(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    message: Message = query.message  # type: ignore[assignment]
    chat = chats.get(message.chat.id)
    chat.intent, chat.answers, chat.applicant = query.data or "apply", {}, None
    with translation.override(chat.language):
        await query.answer()
        if not chats.may_apply(message.chat.id, settings.INTAKE_APPLICATIONS_PER_SESSION):
            await message.answer(
                _(
                    "You have sent several applications in the last hour. To write to us "
                    "again, come back with your codename."
                ),
                reply_markup=keyboard_of([(_("I have a codename"), "enter")]),
            )
            return
        chat.ticket = await sync_to_async(_ticket)(programme_slug)
        await _ask(message, chat, "direction")


def _ticket(programme_slug: str) -> str:
    programme = programme_by_slug(programme_slug)
    return pacing.issue(programme) if programme else ""


def _next_field(chat: Chat) -> str | None:
    order = [*REQUIRED, *(["group_size"] if chat.answers.get("group") == "group" else [])]
    order += list(OPTIONAL) if chat.intent == "apply" else ["message"]
    done = chat.answers.keys()
    return next((name for name in order if name not in done), None)


async def _go_on(message: Message, chat: Chat, chats: Chats, programme_slug: str) -> None:
    following = _next_field(chat)
    if following is not None:
        await _ask(message, chat, following)
        return
    await _submit(message, chat, chats, programme_slug)


@router.callback_query(F.data.in_({"alone", "group", "skip"}))
async def choose(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    with translation.override(chat.language):
        await query.answer()
        if chat.step == "group" and query.data in ("alone", "group"):
            chat.answers["group"] = query.data
        elif chat.step in OPTIONAL and query.data == "skip":
            chat.answers[chat.step] = ""
        else:
            return
        await _go_on(query.message, chat, chats, programme_slug)  # type: ignore[arg-type]


def _clean(name: str, text: str) -> Any:
    """The web form's own field cleans the answer: the same validation, the same messages."""
    value = ApplicationForm.base_fields[name].clean(text)
    return value.isoformat() if hasattr(value, "isoformat") else value


async def _answer(message: Message, chat: Chat, chats: Chats, programme_slug: str) -> None:
    text = (message.text or "").strip()
    await forget_message(message)
    try:
        value = _clean(chat.step, text)
    except ValidationError as error:
        await message.answer(" ".join(str(m) for m in error.messages))
        return
    if chat.step == "group_size" and not value:
        await message.answer(_("Say how many people are in the group."))
        return
    chat.answers[chat.step] = value
    await _go_on(message, chat, chats, programme_slug)


@dataclass(frozen=True)
class Sent:
    """What became of his answers: a codename, or a verdict to wait, or nothing."""

    codename: str | None = None
    verdict: pacing.Verdict | None = None


def _submit_sync(chat: Chat, programme_slug: str) -> Sent:
    programme = programme_by_slug(programme_slug)
    if programme is None:
        return Sent()
    verdict = pacing.admit(chat.ticket, programme)
    if not verdict.admitted:
        chat.ticket = verdict.ticket
        return Sent(verdict=verdict)
    answers = {k: v for k, v in chat.answers.items() if v not in ("", None) and k != "message"}
    campaign = attribution.campaign_for(chat.campaign, programme)
    receipt = submission.submit_application(
        programme,
        answers,
        token=chat.ticket,
        language=chat.language,
        wants_to_apply=chat.intent == "apply",
        first_message=str(chat.answers.get("message") or ""),
        channel=Case.Channel.TELEGRAM,
        campaign_id=campaign.pk if campaign else None,
    )
    return Sent(codename=receipt.codename)


def _wait_text(verdict: pacing.Verdict) -> str:
    """The web form's words, with a button instead of a form."""
    assert verdict.not_before is not None
    shown = display.moment(pacing.shown_time(verdict.not_before), display.applicant_zone())
    why = {
        pacing.EXPIRED: _("This form was open too long to be sent."),
        pacing.QUEUED: _("Many applications are arriving just now, and they are taken in turn."),
    }.get(verdict.reason, "")
    then = _(
        "Your application is not sent yet. Your answers are kept. Press the button below at "
        "this time or later: %(time)s."
    ) % {"time": shown}
    return f"{why} {then}".strip()


@router.callback_query(F.data == "send")
async def send_again(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    with translation.override(chat.language):
        await query.answer()
        if chat.answers and chat.ticket and _next_field(chat) is None:
            await _submit(query.message, chat, chats, programme_slug)  # type: ignore[arg-type]


async def _submit(message: Message, chat: Chat, chats: Chats, programme_slug: str) -> None:
    chat.step = ""
    sent = await sync_to_async(_submit_sync)(chat, programme_slug)
    if sent.verdict is not None:
        keyboard = keyboard_of([(_("Send the application"), "send")])
        await message.answer(_wait_text(sent.verdict), reply_markup=keyboard)
        return
    chat.answers, chat.ticket = {}, ""
    codename = sent.codename
    if codename is None:
        await message.answer(_("Something went wrong. Please try again in a few minutes."))
        return
    chats.note_application(message.chat.id)
    shown = await message.answer(
        _(
            "Your codename:\n\n%(codename)s\n\nLearn it by heart now: this message disappears "
            "in a few minutes. With it you come back here or on the website. Do not write it "
            "down."
        )
        % {"codename": codename},
        protect_content=True,
        reply_markup=keyboard_of([(_("I have memorised it"), "memorised")]),
    )
    chat.codename_message = shown.message_id
    asyncio.get_running_loop().create_task(
        delete_later(message.bot, shown.chat.id, shown.message_id)  # type: ignore[arg-type]
    )


async def delete_later(bot: Bot, chat_id: int, message_id: int, seconds: int | None = None) -> None:
    await asyncio.sleep(settings.BOT_CODENAME_SECONDS if seconds is None else seconds)
    await _delete(bot, chat_id, message_id)


async def _delete(bot: Bot, chat_id: int, message_id: int) -> None:
    row = PENDING.pop((chat_id, message_id), None)
    with contextlib.suppress(TelegramBadRequest):  # already deleted by him or by his button
        await bot.delete_message(chat_id=chat_id, message_id=message_id)
    if row is not None:
        await sync_to_async(pending.forget)(row)


# Messages shown to a signed-in applicant and not yet deleted, each with its sealed row
# (bot/pending.py): what a clean shutdown deletes at once (`forget_everything`), and what the
# next start deletes (`sweep_left_behind`) when the process was killed outright.
PENDING: dict[tuple[int, int], int] = {}


async def tell(message: Message, chat: Chat, text: str, **options: Any) -> Message:
    """Send to a signed-in applicant: protected from forwarding, and deleted after
    BOT_SIGNED_IN_SECONDS, or at sign-out, whichever comes first."""
    sent = await message.answer(text, protect_content=True, **options)
    chat.shown.append(sent.message_id)
    row = await sync_to_async(pending.remember)(message.bot.id, sent.chat.id, sent.message_id)  # type: ignore[union-attr]
    PENDING[(sent.chat.id, sent.message_id)] = row
    asyncio.get_running_loop().create_task(
        delete_later(
            message.bot,  # type: ignore[arg-type]
            sent.chat.id,
            sent.message_id,
            settings.BOT_SIGNED_IN_SECONDS,
        )
    )
    return sent


async def forget_everything(bot: Bot) -> None:
    """At shutdown: delete every message still shown to a signed-in applicant."""
    for chat_id, message_id in list(PENDING):
        await _delete(bot, chat_id, message_id)


async def sweep_left_behind(bot: Bot) -> None:
    """At start-up: delete what a process killed outright still showed."""
    for chat_id, message_id in await sync_to_async(pending.left_behind)(bot.id):
        with contextlib.suppress(TelegramBadRequest):  # gone already, or older than 48 hours
            await bot.delete_message(chat_id=chat_id, message_id=message_id)


@router.callback_query(F.data == "memorised")
async def memorised(query: CallbackQuery, chats: Chats) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    chat.codename_message = None
    with translation.override(chat.language):
        await query.answer()
        await forget_message(query.message)  # type: ignore[arg-type]
        await query.message.answer(  # type: ignore[union-attr]
            _("Come back here with your codename to read our answer."),
            reply_markup=keyboard_of([(_("I have a codename"), "enter")]),
        )


# --- Coming back -----------------------------------------------------------------------------


@router.callback_query(F.data == "enter")
async def ask_codename(query: CallbackQuery, chats: Chats) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    chat.step = "codename"
    with translation.override(chat.language):
        await query.answer()
        await query.message.answer(_("Send your codename: the eight words."))  # type: ignore[union-attr]


@dataclass(frozen=True)
class Page:
    """His status as the bot shows it."""

    head: str  # his state, in the web page's words
    ours: list[str]  # our messages to him (never his own: they were deleted as he sent them)
    instructions: str  # his crossing's instructions, shown only when he asks
    may_confirm: bool
    may_cancel: bool


def _status_sync(applicant: applicants.Applicant, language: str, *, showing: bool) -> Page:
    """His page as text. Under duress the decoy's, as on the web."""
    with translation.override(language):
        page = applicants.status(applicant, timezone.now(), showing=showing)
        if page is None:
            return Page(_("This application no longer exists."), [], "", False, False)
        context = {
            "state": page.state,
            "programme": page.programme,
            "instructions": page.instructions,
            "confirmed": page.confirmed,
            "on_hold": page.on_hold,
            "come_back_at": page.come_back_at,
        }
        head = _text(render_to_string("intake/_status_text.html", context))
        shown = ""
        if page.instructions is not None:
            shown = _text(render_to_string("intake/_instructions.html", context))
        ours = [f"{_('From us')}: {m.text}" for m in page.messages[-10:] if m.sender == "staff"]
        return Page(
            head,
            ours,
            shown,
            page.instructions is not None and not page.confirmed,
            "cancel" in page.actions,
        )


def _text(html: str) -> str:
    for tag in ("</p>", "</li>", "</h2>", "</h3>", "</dt>", "</dd>", "<br>"):
        html = html.replace(tag, tag + "\n")
    lines = (line.strip() for line in strip_tags(html).splitlines())
    return "\n".join(line for line in lines if line)


async def _show(message: Message, chat: Chat) -> None:
    page = await sync_to_async(_status_sync)(chat.applicant, chat.language, showing=False)
    rows = [[(_("Write to us"), "write")]]
    if page.instructions:
        rows.append([(_("Show the instructions"), "instructions")])
    if page.may_confirm:
        rows.append([(_("I will be there"), "confirm")])
    if page.may_cancel:
        rows.append([(_("Cancel my application"), "cancel")])
    rows.append([(_("Sign out"), "leave")])
    for text in page.ours:
        await tell(message, chat, text)
    await tell(message, chat, page.head, reply_markup=keyboard_of(*rows))


async def _show_instructions(message: Message, chat: Chat) -> None:
    """Only on request, and gone after a few minutes like everything else he is shown."""
    page = await sync_to_async(_status_sync)(chat.applicant, chat.language, showing=True)
    if page.instructions:
        await tell(
            message,
            chat,
            page.instructions,
            reply_markup=keyboard_of([(_("I will be there"), "confirm")])
            if page.may_confirm
            else None,
        )
    else:
        await _show(message, chat)


async def _sign_out(message: Message, chat: Chat, chats: Chats) -> None:
    for message_id in chat.shown:
        await _delete(message.bot, message.chat.id, message_id)  # type: ignore[arg-type]
    chats.forget(message.chat.id)
    await message.answer(_("Signed out. Delete this chat now."))


async def _codename(message: Message, chat: Chat) -> None:
    text = message.text or ""
    await forget_message(message)
    applicant = await sync_to_async(applicants.enter)(text)
    if applicant is None:
        await message.answer(_("That codename is not known. Check the words and send it again."))
        return
    chat.step, chat.applicant = "", applicant
    await _show(message, chat)


@router.callback_query(
    F.data.in_({"write", "instructions", "confirm", "cancel", "cancel_yes", "leave"})
)
async def act(query: CallbackQuery, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(query.message.chat.id)  # type: ignore[union-attr]
    message: Message = query.message  # type: ignore[assignment]
    with translation.override(chat.language):
        await query.answer()
        if chat.applicant is None:
            await message.answer(await _notice(programme_slug), reply_markup=_menu(chat))
            return
        if query.data == "write":
            chat.step = "write"
            await tell(message, chat, _("Write your message."))
        elif query.data == "instructions":
            await _show_instructions(message, chat)
        elif query.data == "confirm":
            await sync_to_async(applicants.confirm_crossing)(chat.applicant, timezone.now())
            await _show(message, chat)
        elif query.data == "cancel":
            await tell(
                message,
                chat,
                _("Cancel your application? Nothing more will happen with it."),
                reply_markup=keyboard_of(
                    [(_("Yes, cancel it"), "cancel_yes")], [(_("No"), "write")]
                ),
            )
        elif query.data == "cancel_yes":
            await sync_to_async(applicants.act)(chat.applicant, "cancel")
            await _show(message, chat)
        else:
            await _sign_out(message, chat, chats)


async def _write(message: Message, chat: Chat) -> None:
    text = (message.text or "").strip()[:2000]
    await forget_message(message)
    chat.step = ""
    if text:
        await sync_to_async(applicants.reply)(chat.applicant, text)
    await tell(message, chat, _("Sent. We answer here: come back with your codename."))
    await _show(message, chat)


def _official_text(programme_slug: str, language: str) -> str:
    from safepassage.outreach.services import channels_of  # the same list as the public page

    programme = programme_by_slug(programme_slug)
    if programme is None:
        return ""
    with translation.override(language):
        context = {"channels": channels_of(programme)}
        return _text(render_to_string("outreach/_official_list.html", context))


@router.message(Command("verify"))
async def verify(message: Message, chats: Chats, programme_slug: str) -> None:
    """The programme's genuine channels, as its public page lists them."""
    chat = chats.get(message.chat.id)
    text = await sync_to_async(_official_text)(programme_slug, chat.language)
    await message.answer(text or "…")


def _rights_text() -> str:
    """The public page's words (lib/rights.py), as plain text in the chat's language."""
    lines = [
        str(_("Your rights and the risks")),
        _("Version of %(version)s. The sources below were checked on that day.")
        % {"version": lib_rights.version_label()},
    ]
    for section in lib_rights.read_in(translation.get_language() or "ru"):
        lines += ["", section.title, *section.paragraphs]
    lines += ["", str(_("Sources")), *(f"• {source}" for source in lib_rights.SOURCES)]
    return "\n".join(lines)


async def _show_rights(message: Message, chat: Chat) -> None:
    """Deleted like everything a signed-in applicant is shown: what a phone keeps after
    reading it would tell whoever takes the phone what he was weighing."""
    with translation.override(chat.language):
        await tell(message, chat, _rights_text())


@router.message(Command("rights"))
async def rights(message: Message, chats: Chats) -> None:
    await forget_message(message)
    await _show_rights(message, chats.get(message.chat.id))


@router.callback_query(F.data == "rights")
async def rights_button(query: CallbackQuery, chats: Chats) -> None:
    await query.answer()
    await _show_rights(query.message, chats.get(query.message.chat.id))  # type: ignore[arg-type, union-attr]


@router.message(Command("help"))
async def help_(message: Message, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(message.chat.id)
    with translation.override(chat.language):
        await message.answer(await _notice(programme_slug), reply_markup=_menu(chat))


@router.message(F.text)
async def text(message: Message, chats: Chats, programme_slug: str) -> None:
    chat = chats.get(message.chat.id)
    with translation.override(chat.language):
        if chats.too_fast(chat):
            await forget_message(message)
            await message.answer(_("Too many messages. Wait a minute, then go on."))
        elif chat.step == "codename":
            await _codename(message, chat)
        elif chat.step == "write" and chat.applicant is not None:
            await _write(message, chat)
        elif chat.step in (*REQUIRED, "group_size", *OPTIONAL):
            await _answer(message, chat, chats, programme_slug)
        else:
            await forget_message(message)
            await message.answer(await _notice(programme_slug), reply_markup=_menu(chat))


@router.message()
async def anything_else(message: Message, chats: Chats) -> None:
    """A photo, a contact, a location: never kept, never forwarded."""
    chat = chats.get(message.chat.id)
    await forget_message(message)
    with translation.override(chat.language):
        await message.answer(_("Please write in words. Do not send photos, contacts or places."))
