"""The duress codename (issue #16): whoever forces an applicant to sign in cannot tell it from
his real codename, on the site or in a copy of the database, and it changes nothing but warn
the verifiers."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from safepassage.cases import applicant_writers
from safepassage.cases.models import Case, Codename, Message, ProbeSignal
from safepassage.vault import codenames, crypto
from safepassage.vault.sessions import SessionStore
from tests.conftest import audit_entries, enter, found, submit, text_of

pytestmark = pytest.mark.django_db


class _Shape(HTMLParser):
    """The forms (method, action, field names) and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, list[str]]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("method", ""), attributes.get("action", ""), []))
        elif tag in ("input", "textarea", "button", "select") and self.forms:
            name = attributes.get("name")
            if name and name != "csrfmiddlewaretoken":
                self.forms[-1][2].append(name)
        elif tag == "a":
            self.links.append(attributes.get("href", ""))


def shape(response) -> tuple[object, ...]:
    parser = _Shape()
    body = response.content.decode()
    parser.feed(body)
    shown = text_of(body, "status") if 'id="status"' in body else ""
    return response.status_code, response.get("Location"), parser.forms, parser.links, shown


def real_and_forced(client) -> tuple[Client, Client, str]:
    """The applicant signed in with his codename, and someone who forced the duress one."""
    codename = submit(client)
    real = Client()
    enter(real, codename)
    page = real.post("/en/my/duress/").content.decode()
    found = re.search(r'id="duress-codename">([^<]+)<', page)
    assert found is not None
    duress = found.group(1)
    forced = Client()
    assert enter(forced, duress)["Location"] == "/en/my/"
    return real, forced, codename


STEPS = [
    ("get", "/en/my/", {}),
    ("post", "/en/my/reply/", {"text": ""}),  # refused the same way: 400 and the form again
    ("post", "/en/my/reply/", {"text": "I am still here"}),
    ("get", "/en/my/", {}),
    ("get", "/en/my/cancel/", {}),
    ("post", "/en/my/confirm-crossing/", {}),
    ("post", "/en/my/duress/", {}),
    ("get", "/en/my/no-such-action/", {}),
    ("post", "/en/my/cancel/", {}),
    ("get", "/en/my/", {}),
]


def test_every_applicant_page_answers_the_same_under_duress(world, client):
    real, forced, _codename = real_and_forced(client)
    for method, url, data in STEPS:
        seen = [shape(getattr(who, method)(url, data)) for who in (real, forced)]
        if url == "/en/my/duress/":  # each is shown a new codename of its own
            assert seen[0][0] == seen[1][0] == 200
            continue
        assert seen[0] == seen[1], (method, url)
    # What the forced session "sent" and "cancelled" reached nobody.
    case = Case.objects.get()
    assert case.messages.filter(sender=Message.Sender.APPLICANT).count() == 2  # form + real
    assert case.state == "cancelled"  # by the real applicant, whose cancel counted


def test_a_forced_reply_shows_on_his_page_but_reaches_no_one(world, client):
    _real, forced, _codename = real_and_forced(client)
    forced.post("/en/my/reply/", {"text": "Where do I go?"})
    assert "Where do I go?" in text_of(forced.get("/en/my/").content.decode(), "messages")
    assert Case.objects.get().messages.count() == 1  # only the application's own message
    assert audit_entries("message.from_applicant") == []


def test_the_real_codename_keeps_working_after_the_duress_one_was_used(world, client):
    _real, forced, codename = real_and_forced(client)
    forced.post("/en/my/cancel/")
    again = Client()
    enter(again, codename)
    page = again.get("/en/my/").content.decode()
    assert "Your application has been received" in text_of(page, "status")
    again.post("/en/my/reply/", {"text": "They took my phone for an hour"})
    case = Case.objects.get()
    assert case.state == "applied"
    assert case.awaiting_reply
    assert [actor for actor, _ in audit_entries("applicant.entered")] == ["applicant"] * 3
    assert audit_entries("applicant.duress") == []  # the sign-in said nothing in plain
    assert not case.probe_signals.exists()
    # A key holder's session reads the sealed sign-ins: then the verifiers have the signal.
    from safepassage.cases import sign_ins
    from safepassage.programmes.roles import Role

    assert sign_ins.read_new(case.programme, world.keyring, user=world.staff[Role.VERIFIER]) == 3
    assert case.probe_signals.filter(kind=ProbeSignal.Kind.DURESS).count() == 1


def test_the_real_page_explains_the_duress_codename_without_describing_what_it_shows(world, client):
    real, _forced, _codename = real_and_forced(client)
    page = text_of(real.get("/en/my/").content.decode()).lower()
    assert "duress codename" in page
    for telltale in ("empty page", "harmless", "nothing will be shown", "shows"):
        assert telltale not in page


def test_nothing_in_the_database_tells_the_two_codenames_apart(world, client):
    _real, _forced, _codename = real_and_forced(client)
    rows = list(Codename.objects.values())
    assert len(rows) == 2
    assert {field for field in rows[0]} == {
        "id",
        "case_id",
        "lookup_hash",
        "wrapped_key",
        "notebook",
        "notebook_key",
        "legacy_duress",
    }
    assert [row["legacy_duress"] for row in rows] == [None, None]
    assert len(bytes(rows[0]["wrapped_key"])) == len(bytes(rows[1]["wrapped_key"]))
    assert len(bytes(rows[0]["notebook"])) == len(bytes(rows[1]["notebook"]))
    assert len(bytes(rows[0]["notebook_key"])) == len(bytes(rows[1]["notebook_key"]))


def notebooks() -> list[bytes]:
    return [bytes(row.notebook) for row in Codename.objects.order_by("lookup_hash")]


def test_every_sign_in_and_every_write_seals_every_notebook_again(world, client):
    """Two copies of the database, taken around anything either codename does, show every
    notebook changed: never which credential signed in or wrote."""
    real, forced, codename = real_and_forced(client)
    duress = None
    for row in Codename.objects.all():  # the duress one is the one his codename is not
        if not codenames.same_hash(bytes(row.lookup_hash), codenames.lookup_hash(codename)):
            duress = row
    assert duress is not None
    steps = {
        "a real sign-in": lambda: enter(Client(), codename),
        "a real message": lambda: real.post("/en/my/reply/", {"text": "I am ready"}),
        "a forced message": lambda: forced.post("/en/my/reply/", {"text": "Where do I go?"}),
        "a forced cancel": lambda: forced.post("/en/my/cancel/"),
    }
    for name, step in steps.items():
        before = notebooks()
        step()
        after = notebooks()
        assert all(old != new for old, new in zip(before, after, strict=True)), name
        assert [len(n) for n in after] == [len(n) for n in before], name
    keys_before = {bytes(r.notebook_key) for r in Codename.objects.all()}
    enter(Client(), codename)
    assert {bytes(r.notebook_key) for r in Codename.objects.all()} == keys_before
    # The decoy kept what was forced, and his own page what he wrote.
    again = Client()
    enter(again, codename)
    assert "I am ready" in text_of(again.get("/en/my/").content.decode(), "messages")


def test_a_credential_from_before_shared_notebook_keys_keeps_its_notebook(world, client):
    real, forced, _codename = real_and_forced(client)
    forced.post("/en/my/reply/", {"text": "Where do I go?"})
    page = real.post("/en/my/duress/").content.decode()
    duress = found(r'id="duress-codename">([^<]+)<', page)
    second = Client()
    enter(second, duress)
    second.post("/en/my/reply/", {"text": "Is it tonight?"})
    row = Codename.objects.get(lookup_hash=codenames.lookup_hash(duress))
    opened = codenames.open_credential(duress, bytes(row.wrapped_key))
    shared = codenames.open_notebook_key(opened.key, bytes(row.notebook_key))
    assert shared is not None
    content = codenames.open_notebook(shared, bytes(row.notebook))
    # As an older release kept it: sealed under the credential's own key, no notebook key.
    Codename.objects.filter(pk=row.pk).update(
        notebook=codenames.seal_notebook(opened.key, content), notebook_key=b""
    )
    later = Client()
    enter(later, duress)
    assert "Is it tonight?" in text_of(later.get("/en/my/").content.decode(), "messages")
    assert bytes(Codename.objects.get(pk=row.pk).notebook_key)  # it has one now


def test_the_decoy_holds_from_one_forced_sign_in_to_the_next(world, client):
    real, forced, _codename = real_and_forced(client)
    page = real.post("/en/my/duress/").content.decode()  # a fresh duress codename
    found = re.search(r'id="duress-codename">([^<]+)<', page)
    assert found is not None
    duress = found.group(1)
    forced = Client()
    enter(forced, duress)
    forced.post("/en/my/reply/", {"text": "Where do I go?"})
    forced.post("/en/my/cancel/")
    before = {bytes(r.notebook) for r in Codename.objects.all()}
    later = Client()
    enter(later, duress)
    page = later.get("/en/my/").content.decode()
    assert "Where do I go?" in text_of(page, "messages")
    assert "You have cancelled your application" in text_of(page, "status")
    # ...and the notebooks are still the same size, whichever was written.
    assert len({len(notebook) for notebook in before}) == 1
    assert Case.objects.get().state == "applied"
    assert Case.objects.get().messages.count() == 1


def test_a_copy_of_the_database_cannot_test_a_codename_without_the_pepper(world, client):
    codename = submit(client)
    row = Codename.objects.get()
    # The old derivation, from the codename alone, opens nothing.
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.unwrap_with_secret(codenames.normalise(codename), bytes(row.wrapped_key))
    # With the pepper it opens the case's data key.
    opened = codenames.open_credential(codename, bytes(row.wrapped_key))
    assert not opened.duress
    assert len(opened.key) == crypto.KEY_BYTES


def test_a_credential_from_before_is_sealed_the_new_way_at_its_next_sign_in(world, client):
    codename = submit(client)
    row = Codename.objects.get()
    key = codenames.open_credential(codename, bytes(row.wrapped_key)).key
    old = crypto.wrap_with_secret(codenames.normalise(codename), key, crypto.HIGH_ENTROPY)
    Codename.objects.filter(pk=row.pk).update(wrapped_key=old, legacy_duress=False)
    session = applicant_writers.enter_with_codename(codename)
    assert session is not None
    assert session.data_key == key
    assert not session.duress
    row.refresh_from_db()
    assert row.legacy_duress is None
    assert codenames.open_credential(codename, bytes(row.wrapped_key)).key == key


def test_a_session_row_is_as_long_under_duress_as_for_the_real_codename(world, client):
    from django.contrib.sessions.models import Session

    real, forced, _codename = real_and_forced(client)
    forced.post("/en/my/reply/", {"text": "Они заставили меня написать это длинное сообщение"})
    real.get("/en/my/")
    forced.get("/en/my/")

    def sealed_applicant(c: Client) -> int:
        row = Session.objects.get(session_key=SessionStore.row_key(c.cookies["sp"].value))
        return len(SessionStore().decode(row.session_data)["_sealed:applicant"])

    rows = {"real": sealed_applicant(real), "forced": sealed_applicant(forced)}
    assert rows["real"] == rows["forced"]


def test_a_wrong_codename_is_not_written_back_into_the_page(world, client):
    wrong = "lantern orbit maple violet canyon harbor pepper frost"
    page = client.post("/en/enter/", {"codename": wrong}).content.decode()
    assert "That codename is not known. Check the words and try again." in page
    assert "lantern orbit" not in page


def test_the_decoy_shows_the_message_he_sent_on_the_form(world, client):
    real, forced, _codename = real_and_forced(client)
    for who in (real, forced):
        assert "When can I go?" in text_of(who.get("/en/my/").content.decode(), "messages")
    assert audit_entries("applicant.duress_codename_created") == [("applicant", {})]


def test_a_decoy_that_outgrows_its_notebook_keeps_its_newest_messages(world, client):
    from django.contrib.sessions.models import Session

    _real, forced, _codename = real_and_forced(client)
    forced.get("/en/my/")  # the page's form puts its CSRF token in the session
    row = SessionStore.row_key(forced.cookies["sp"].value)
    size = len(Session.objects.get(session_key=row).session_data)
    for n in range(6):
        forced.post("/en/my/reply/", {"text": f"{n} " + "ж" * 900})
    shown = text_of(forced.get("/en/my/").content.decode(), "messages")
    assert shown.count("ж" * 900) == 2  # what a notebook holds (4,096 bytes)
    assert "5 " + "ж" * 10 in shown
    assert "0 " + "ж" * 10 not in shown
    # The session, which carries the decoy, keeps its padded size.
    assert len(Session.objects.get(session_key=row).session_data) == size
