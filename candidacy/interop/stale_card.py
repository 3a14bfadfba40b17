"""A CDS card whose screening is out of date leads with why, as a warning (issue 15).

Kept beside cds.py rather than in it: the card itself is pure and knows nothing of how a
stored screening ages.
"""

from __future__ import annotations

from .cds import INDICATOR_WARNING, SUMMARY_MAX_LENGTH

CARD_OUT_OF_DATE = "Out of date. "


def card_out_of_date(card: dict, stale: str) -> dict:
    """``card`` as it is, or led by ``stale`` (our own words, no Markdown) when it is set."""
    if not stale:
        return card
    return {
        **card,
        "summary": (CARD_OUT_OF_DATE + card["summary"])[:SUMMARY_MAX_LENGTH],
        "indicator": INDICATOR_WARNING,
        "detail": f"**{CARD_OUT_OF_DATE.strip()}** {stale}\n\n{card['detail']}",
    }
