"""Build zoo_dna/data/rrna16s.tsv.gz from Debian's microbiomeutil-data (apt-get install microbiomeutil-data).

Every one of the 5,181 sequences is kept: upper case, ambiguity letters as N, one row per sequence with its
RDP id, the organism as the header names it, and the six-rank lineage (domain to genus). Run from the
plugin folder: ``python scripts/prepare_16s.py [path/to/rRNA16S.gold.fasta]``.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import Iterator

from zoo_dna.sequences import clean

SOURCE = Path("/usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta")
TARGET = Path(__file__).resolve().parents[1] / "zoo_dna" / "data" / "rrna16s.tsv.gz"
RANKS = 6


def fasta(path: Path) -> Iterator[tuple[str, str]]:
    """(header, sequence) pairs of a FASTA file."""
    header, lines = None, []
    for line in path.read_text().splitlines():
        if line.startswith(">"):
            if header is not None:
                yield header, "".join(lines)
            header, lines = line[1:], []
        else:
            lines.append(line.strip())
    if header is not None:
        yield header, "".join(lines)


def parse_header(header: str) -> tuple[str, str, str]:
    """(id, organism, lineage) from either header style of the file.

    Type strains from RDP: ``S000390990 Pseudomonas indica (T); AF302795 Pseudomonas indica<TAB>lineage``.
    Genome-derived copies: ``7000004131500141<TAB>Shewanella baltica OS195 <TAB>ids...<TAB>lineage``.
    """
    fields = header.split("\t")
    lineage = "; ".join(rank.strip() for rank in fields[-1].split(";"))
    if len(lineage.split("; ")) != RANKS:
        raise ValueError(f"expected {RANKS} ranks in {header!r}")
    if len(fields) == 2:
        ident, _, rest = fields[0].partition(" ")
        organism = rest.split(" (T)")[0].split(";")[0].strip()
    else:
        ident, organism = fields[0].strip(), fields[1].strip()
    return ident, organism, lineage


def main(source: Path = SOURCE) -> None:
    rows = []
    for header, sequence in fasta(source):
        ident, organism, lineage = parse_header(header)
        rows.append("\t".join((ident, organism, lineage, clean(sequence))))
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the gzip bytes, and so the data fingerprint, the same on every rebuild
    with open(TARGET, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(("id\torganism\tlineage\tsequence\n" + "\n".join(rows) + "\n").encode())
    print(f"{len(rows)} sequences -> {TARGET} ({TARGET.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
