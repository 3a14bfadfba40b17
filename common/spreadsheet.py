"""CSV cells a spreadsheet will not run as formulas (CSV injection), for every export.

Excel, LibreOffice and Google Sheets run a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula, ``|`` as a DDE command in older Excel, and tab or carriage return move the start. They
also read the full-width forms (``＝＋－＠｜``, and the small forms such as ``﹦``) as the ASCII
ones, and skip leading spaces before them. Such a cell gets a leading apostrophe, which the
spreadsheet shows as text; the value is otherwise unchanged.
"""

from __future__ import annotations

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "\n")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula or a command."""
    if text.startswith(FORMULA_STARTS):
        return True
    # NFKC maps the full-width and small forms to ASCII and U+3000 and friends to a space.
    return unicodedata.normalize("NFKC", text).lstrip().startswith(FORMULA_STARTS)


def safe_cell(value) -> str:
    """``value`` as CSV text, with an apostrophe before anything a spreadsheet would run."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula(text) else text
