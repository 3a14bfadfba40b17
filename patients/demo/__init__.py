"""Synthetic demo data: two centres, one user per role and centre, realistic patients.

``python manage.py seed_demo`` drives it. The README and the tests read the constants of
centres.py (centre codes, usernames, the password) and generator.py (the MRNs).

Each patient is drawn from its own ``random.Random(f"{seed}:{index}")`` and dated
relative to an as-of date, so a patient depends only on (seed, index, as-of):
not on N, on the chunk size, or on what an earlier run already created.
Every value is checked against the item catalogue (patients/items.py) as it is
made. Nothing here is clinical data; the names are common names picked at random.

- centres.py: the demo centres and users, and creating them;
- profiles.py: who the patients are (names, the disease mix, each disease's profile,
  gaps in the record, comorbidity prevalence);
- generator.py: one patient from (seed, index, as-of);
- treatments.py and assessments.py: the lines of treatment and the dated assessments;
- clinical_inputs.py: the inputs clinical model v2 added (relapse dates, T2 and Gd lesions,
  malignancy, the clinician's answers, Camitta's residual fraction, the AA work-up), from a
  second stream of the patient's own, so the first one is not disturbed;
- seeding.py: bulk-inserting patients a chunk at a time.

Each patient's numbers come from its random streams, each drawn in a fixed order: moving or
splitting a step must keep the order of its draws, or every seeded patient changes. A new
kind of input gets a new stream rather than new draws in an old one.
"""
