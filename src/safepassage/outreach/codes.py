"""Campaign codes a person can type or say on the phone: five Crockford base32 characters and
a check character (Luhn mod 32), so a mistyped code is refused rather than counted for the
wrong campaign. Crockford's alphabet leaves out I, L, O and U; reading a code back, I and L are
taken as 1 and O as 0, case, spaces and dashes are ignored.

Written by hand: the check is twenty lines, and the base32 libraries on PyPI do not offer
Crockford's reading rules together with a check character in the same alphabet."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 5  # data characters; the sixth is the check
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _check(data: str) -> str:
    """Luhn mod 32 over `data`: catches every single wrong character and most swaps."""
    total, factor = 0, 2
    for char in reversed(data):
        addend = factor * ALPHABET.index(char)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return data + _check(data)


def read(typed: str) -> str | None:
    """The code as stored, or None when it cannot be one (wrong length, a character outside
    the alphabet, a wrong check character)."""
    code = "".join(typed.upper().split()).replace("-", "").translate(_READ_AS)
    if len(code) != LENGTH + 1 or any(char not in ALPHABET for char in code):
        return None
    return code if _check(code[:-1]) == code[-1] else None


def spoken(code: str) -> str:
    """For print and the phone: XXX-XXX."""
    return f"{code[:3]}-{code[3:]}"
