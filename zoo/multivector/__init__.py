"""Multi-vector encoders (a set of vectors per input), exact MaxSim, and MUVERA's fixed-dimensional encodings."""
