"""The library of recognition signals and crossing protocols, with the applicant's steps.

Kept in code, not in the database, because every step must be translated (gettext) and
reviewed: a mistranslated instruction can get someone shot. Each step is short enough to
memorise. Pictograms are plain SVG files served from this site (static/passage/signals/).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Signal:
    key: str
    title: Promise
    steps: tuple[Promise, ...]

    @property
    def pictogram(self) -> str:
        return f"passage/signals/{self.key}.svg"


# Recognition signals: one is agreed per crossing and rotated so the adversary cannot learn it.
SIGNALS: dict[str, Signal] = {
    s.key: s
    for s in (
        Signal(
            "arms_raised_spread",
            _("Arms raised, then spread"),
            (
                _("When you see the drone or the position, stop."),
                _("Raise both arms straight up and hold them for five seconds."),
                _("Then spread your arms to the sides, palms open, and hold."),
                _("Walk on slowly only when the drone moves ahead of you."),
            ),
        ),
        Signal(
            "arms_letter_l",
            _("Arms forming the letter L"),
            (
                _("When you see the drone or the position, stop."),
                _("Raise your right arm straight up."),
                _("Hold your left arm straight out to the side: together they form an L."),
                _("Hold the L for ten seconds, then walk on slowly."),
            ),
        ),
        Signal(
            "white_cloth_arm",
            _("White cloth on the arm"),
            (
                _("Tie a white cloth around your left forearm before you leave."),
                _("Keep the arm raised so the cloth can be seen from above."),
                _("Do not wave it fast: move it slowly from side to side."),
            ),
        ),
        Signal(
            "weapon_barrel_down",
            _("Weapon slung barrel down, magazine out"),
            (
                _("Take the magazine out of your weapon and leave it behind."),
                _("Sling the weapon on your back with the barrel pointing down."),
                _("Keep both hands empty and visible at all times."),
            ),
        ),
    )
}

# Protocols added to the signal when the crossing needs them.
DRONE_GUIDANCE = Signal(
    "drone_guidance",
    _("Following a guiding drone"),
    (
        _("A drone will find you at the start of the window. Look up and show your signal."),
        _("Follow the drone at walking pace. Do not run."),
        _("If it flies away, stop where you are, stay low and wait for the next one."),
        _("Do not leave the path it shows you: the ground around may be mined."),
    ),
)
GROUP_PROTOCOL = Signal(
    "group_protocol",
    _("Crossing as a group"),
    (
        _("Everyone puts their weapons down before moving; no one carries a loaded weapon."),
        _("A vehicle stays silent with the engine off and the turret turned to the rear."),
        _("One unarmed person walks ahead alone with a white cloth to speak for the group."),
        _("The others follow only when the negotiator signals that it is safe."),
    ),
)
PROTOCOLS = {p.key: p for p in (DRONE_GUIDANCE, GROUP_PROTOCOL)}


def signal_choices() -> list[tuple[str, Promise]]:
    return [(s.key, s.title) for s in SIGNALS.values()]
