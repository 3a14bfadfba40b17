"""Password rules Django's own validators leave out (AUTH_PASSWORD_VALIDATORS).

Django's similarity check compares the whole password with each name, so a name with a few
digits around it ("Clara.Quist2024") scores too low to be refused, and nothing refuses one
character typed twelve times. Both passed in the security test of issue 12.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

REPEATED = (
    "This password is a few characters repeated. Choose one that is not a pattern, for "
    "example several unrelated words."
)
MADE_OF_NAMES = (
    "This password is made of your own names (user name, first or last name) with digits or "
    "punctuation around them. Choose one that does not contain your names."
)
MIN_DISTINCT = 5  # fewer different characters than this is a pattern, whatever its length
USER_NAME_FIELDS = ("username", "first_name", "last_name")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _letters(text: str) -> str:
    return "".join(ch for ch in _folded(text) if ch.isalpha())


def is_repeated(password: str) -> bool:
    """One unit over and over ("abcabcabc"), or too few different characters ("aaaaaaaaaa1")."""
    text = _folded(password)
    if len(set(text)) < MIN_DISTINCT:
        return True
    # A string is a repeated unit exactly when it occurs in itself doubled, short of the ends.
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def is_made_of(letters: str, names: set[str]) -> bool:
    """Whether ``letters`` splits into a sequence of ``names`` (each used any number of times)."""
    if not letters or not names:
        return False
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(
            reachable[end - len(name)] and letters.endswith(name, 0, end)
            for name in names
            if len(name) <= end
        )
    return reachable[-1]


class RepeatedCharactersValidator:
    """Refuses a password of one short unit repeated, or of fewer than five distinct characters."""

    def validate(self, password, user=None):
        if is_repeated(password):
            raise ValidationError(REPEATED, code="password_repeated")

    def get_help_text(self):
        return f"Your password can't be a few characters repeated (at least {MIN_DISTINCT} different ones)."


class UserNamesValidator:
    """Refuses a password whose letters are only the user's names, in any case and order."""

    def validate(self, password, user=None):
        if user is None:
            return
        names = {_letters(str(getattr(user, field, "") or "")) for field in USER_NAME_FIELDS}
        names.discard("")
        if is_made_of(_letters(password), names):
            raise ValidationError(MADE_OF_NAMES, code="password_made_of_names")

    def get_help_text(self):
        return "Your password can't be made of your own names with digits around them."
