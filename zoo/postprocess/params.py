"""The options of the built-in post-processors, declared (types and bounds) so that names are checked when
parsed; importing this imports no numpy."""

from __future__ import annotations

from zoo.protocols import Param

CALIBRATIONS = ("minmax", "percentile")
RESCORE_WITH = ("sign", "int8", "float")  # what BinaryQuantizer rescores candidates against
MAX_RESCORE = 10_000  # candidates per wanted hit; beyond this rescoring is exact search, done slowly

RESCORE = Param("rescore", int, 0, MAX_RESCORE, help="candidates per wanted hit rescored (0: none)")
BINARY = (RESCORE, Param("rescore_with", str, choices=RESCORE_WITH))
INT8 = (Param("calibration", str, choices=CALIBRATIONS), Param("percentile", float, 50, 100, above=True), RESCORE)
MATRYOSHKA = (Param("dim", int, 1, 2**20, help="leading dimensions kept"), Param("normalize", bool))
WHITEN = (Param("k", int, 0, 2**20, help="dimensions kept (0: all)"), Param("eps", float, 0, 1, above=True))
