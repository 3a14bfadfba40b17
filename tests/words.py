"""Finds the code's words on a page: keys, codes, operators and file paths (UI.md, "Words a
clinician uses, never the code's").

The forbidden strings are taken from the code's own tables, never from a list written here:

- the criterion keys of the rule sets a test passes (the page's own rule set);
- the fact keys (``rules.facts.FACTS``);
- the vocabulary's codes: ``common.vocabulary`` (disease groups, MS subtypes, measurement items,
  comorbidities, therapy classes, treatment outcomes, malignancy codes) and the rule set's own
  (``rules.specs``: the "ms:rr" disease tokens, transplant types, categories and pathways,
  criterion kinds, domains, outcomes; ``rules.facts``: the freshness windows);
- operators written as code: ">=", "<=", "==", "!=", "is true", "is false";
- a path into the project's files: "../shared", or a file name ending .md, .yaml or .py.

How a code is told from an ordinary word, so that "pregnancy", "Crohn's" or "ra" inside
"rapidly" raise no false alarm:

1. Codes are matched as whole tokens. A token is a run of letters, digits and ``_ : / . -``
   (so "mg/L" is one token, never the code "mg"), less any trailing ``. : , ;``.
2. Matching is case-sensitive: codes are written in lower case (or, for the EBMT categories,
   as the code "CO"), so "MS" or "EDSS" in a sentence is the clinician's word, not the code.
3. A code with "_" or ":" is never an English word: it is always forbidden.
4. A code of one word is forbidden only when its own label does not spell it. "pregnancy" is
   labelled "Pregnancy" and "biologic" "biologic", so they are words; "edss" is labelled
   "EDSS", "ibd" "inflammatory bowel disease" and "ms" "multiple sclerosis", so those
   spellings are codes. Labels come from ``common.labels``, the facts, the item catalogue
   and the criteria themselves.
5. A code of one or two capital letters (the EBMT categories "S", "D", "CO") is not checked:
   it cannot be told from an author's initial ("Farge D et al.").

A page that echoes what the user typed (a search box) shows the user's words, not the code's;
tests search with the words a clinician reads ("LVEF").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from common import labels, vocabulary
from patients.items import ITEMS
from rules import specs
from rules.facts import FACTS, FRESHNESS_CLASSES

CODE_OPERATORS = (">=", "<=", "==", "!=", "is true", "is false")
PATHS = re.compile(r"\.\./shared|[\w-]+\.(?:md|yaml|yml|py)\b")
TOKEN = re.compile(r"[A-Za-z0-9_:/.\-]+")
_TRAILING = ".:,;"


def vocabulary_codes() -> set[str]:
    """Every code of the vocabularies the pages may meet."""
    tables: Iterable[Iterable[str]] = (
        vocabulary.DISEASE_GROUPS,
        vocabulary.MS_SUBTYPES,
        vocabulary.MEASUREMENT_ITEMS,
        vocabulary.COMORBIDITY_ITEMS,
        vocabulary.THERAPY_CLASSES,
        vocabulary.TREATMENT_OUTCOMES,
        vocabulary.MALIGNANCY_CODES.values(),
        specs.DISEASES,
        specs.TRANSPLANT_TYPES,
        specs.CATEGORIES,
        specs.KINDS,
        specs.DOMAINS,
        specs.OUTCOMES,
        FRESHNESS_CLASSES,
    )
    return {code for table in tables for code in table}


def _labels_of(code: str, criterion_labels: dict[str, str]) -> list[str]:
    found = [table[code] for table in labels.TABLES if code in table]
    if code in FACTS:
        found.append(FACTS[code].label)
    if code in ITEMS:
        found.append(ITEMS[code].label)
    if code in criterion_labels:
        found.append(criterion_labels[code])
    return found


def _is_word(code: str, criterion_labels: dict[str, str]) -> bool:
    """Rule 4: the code's own label spells it, as written or capitalised."""
    spellings = {code, code[:1].upper() + code[1:]}
    return any(spellings & tokens(text) for text in _labels_of(code, criterion_labels))


def forbidden_codes(criteria: Iterable[tuple[str, str]] = ()) -> set[str]:
    """The codes a page must not show; ``criteria`` are (key, label) of the rule sets shown."""
    criterion_labels = dict(criteria)
    codes = vocabulary_codes() | set(FACTS) | set(criterion_labels)
    return {
        code
        for code in codes
        if "_" in code or ":" in code or not (_is_word(code, criterion_labels) or _initials(code))
    }


def _initials(code: str) -> bool:
    """Rule 5: "S", "D" and "CO" read as initials as often as codes."""
    return code.isupper() and len(code) <= 2


# Attributes a reader meets (a tooltip, a screen reader's name, a placeholder, a button's
# words). The others (href, name, value of a field, data-*) are the machinery: a form field
# named "disease" posting "ms" is never read by anyone.
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "aria-description")
_BUTTON_TYPES = ("submit", "button", "reset")


class _Text(HTMLParser):
    """The text a reader meets: the page's text and the attributes read out or shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        read = dict(attrs)
        self.parts.extend(read[name] or "" for name in READ_ATTRIBUTES if name in read)
        if tag == "input" and read.get("type") in _BUTTON_TYPES:
            self.parts.append(read.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def tokens(text: str) -> set[str]:
    return {token.rstrip(_TRAILING) for token in TOKEN.findall(text)}


def internal_strings(html: str, criteria: Iterable[tuple[str, str]] = ()) -> list[str]:
    """What on the page is the code's, not the clinician's: sorted, empty when none."""
    text = page_text(html)
    found = tokens(text) & forbidden_codes(criteria)
    found |= {op for op in CODE_OPERATORS if op in text}
    found |= set(PATHS.findall(text))
    return sorted(found)
