"""Import FHIR R4 bundles into a centre: ``manage.py import_fhir PATH... --centre CODE``.

A PATH that is a folder imports its *.json files. Each bundle is its own transaction; the run is
stored as an ImportRun, its report printed, and the last line gives bundles per second.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patients.fhir.importer import Source, import_run, totals_line
from patients.models import Centre, ImportRun


class Command(BaseCommand):
    help = "Import FHIR R4 bundles (JSON files or folders of them) into a centre."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Bundle files, or folders of *.json bundles.")
        parser.add_argument("--centre", required=True, help="Centre code.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="Processes reading bundles while this one writes (default: CPUs, at most 4).",
        )
        parser.add_argument(
            "--quiet-skips", action="store_true", help="Count skipped resources, do not list them."
        )

    def handle(self, *args, paths, centre, quiet_skips, jobs, **options):
        try:
            centre_obj = Centre.objects.get(code=centre)
        except Centre.DoesNotExist:
            raise CommandError(f"No centre with the code {centre!r}.") from None
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files.extend(sorted(path.glob("*.json")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"No such file or folder: {name}")
        sources = [Source(name=str(path), data=path.read_bytes()) for path in files]
        run = import_run(
            sources=sources, centre=centre_obj, source=ImportRun.Source.COMMAND, jobs=jobs
        )
        for bundle in run.report:
            self._print_bundle(bundle, quiet_skips)
        self.stdout.write(
            f"Run {run.pk}: {run.bundles - run.bundles_failed} imported, {run.bundles_failed} failed; "
            f"patients {run.patients_created} created, {run.patients_updated} updated; "
            f"resources {run.resources_mapped} mapped, {run.resources_skipped} skipped."
        )
        self.stdout.write(totals_line(run))

    def _print_bundle(self, bundle, quiet_skips):
        if bundle["status"] == "failed":
            self.stdout.write(self.style.ERROR(f"FAILED {bundle['name']}: {bundle['error']}"))
            return
        patients = ", ".join(
            f"{p['name']} (MRN {p['mrn']}, {'created' if p['created'] else 'updated'}"
            f"{', deceased' if p['deceased'] else ''})"
            for p in bundle["patients"]
        )
        mapped = ", ".join(f"{k} {v}" for k, v in bundle["mapped"].items())
        other = ", ".join(f"{k} {v}" for k, v in bundle["other"].items())
        self.stdout.write(self.style.SUCCESS(f"OK {bundle['name']}: {patients}"))
        self.stdout.write(
            f"  mapped: {mapped}; skipped: {len(bundle['skipped'])}; other types: {other or 'none'}"
        )
        if not quiet_skips:
            for s in bundle["skipped"]:
                self.stdout.write(
                    f"  skipped {s['type']} {s['id']} (entry {s['entry']}): {s['reason']}"
                )
        for note in bundle["notes"]:
            self.stdout.write(f"  note: {note}")
