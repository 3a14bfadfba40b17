"""Decision concordance: coordinators' decisions against the band the screening gave when they decided.

It tells criteria admins where the criteria and the team disagree, and whether they disagree
more for some groups of patients than others (rule-set version, centre, disease, sex, age).

- ``selectors.py``: the counts, computed by the database, over the decided reviews of the
  user's centres.
- ``departures.py``: the departures, a keyset page at a time.
- ``forms.py``: the filters (version, centre, decision dates) and the page cursor.
- ``export.py``: two streamed CSVs, the departures (one row per decision, with its reason)
  and the summary tables (counts only, no patient).
- ``views.py``: who may see it, the page and the CSVs.
"""
