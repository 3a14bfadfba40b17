"""CSV cells a spreadsheet would run are neutralised, whatever form the sign takes."""

import pytest

from common.spreadsheet import safe_cell

CASES = [
    ("=1+1", "'=1+1"),
    ("+44 20", "'+44 20"),
    ("-3", "'-3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("|calc", "'|calc"),  # DDE in older Excel
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("＝HYPERLINK(1)", "'＝HYPERLINK(1)"),  # full-width forms, read as ASCII by spreadsheets
    ("＋1", "'＋1"),
    ("－1", "'－1"),
    ("＠A1", "'＠A1"),
    ("｜calc", "'｜calc"),
    ("﹦1+1", "'﹦1+1"),  # the small equals sign, also = after NFKC
    ("  =1+1", "'  =1+1"),  # leading spaces are skipped before the sign
    ("\u3000＝1", "'\u3000＝1"),  # an ideographic space, then a full-width sign
    ("Quist", "Quist"),
    ("O'Neil-Smith", "O'Neil-Smith"),
    ("", ""),
    (None, ""),
    (42, "42"),
]


@pytest.mark.parametrize("value, expected", CASES)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(value, expected):
    assert safe_cell(value) == expected
