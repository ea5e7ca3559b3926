"""Search backends (exact, HNSW, Hamming here; more through plugins) and what their settings mean."""

# Options an index is searched at rather than built with: one build gives a curve of operating points,
# one per value. Every other setting (M, ef_construction, library, depth, ...) makes a different build.
SEARCH_OPTIONS = ("ef_search", "nprobe")

# Settings that record how an operating point was chosen (a recall target picks ef_search, reaching
# tuned_recall on what tuned_on names), not what was built or searched: they neither split builds nor
# name points.
POINT_NOTES = ("target_recall", "tuned_recall", "tuned_on")
