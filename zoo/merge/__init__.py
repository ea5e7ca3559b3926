"""Model merging: weight-space merges of checkpoints with one architecture into a new encoder.

``methods`` holds the arithmetic on state dicts, ``recipe`` what to merge, ``build`` the merged folder,
``encoder`` the ``merge:`` encoder and ``plugin`` its hooks (the ``merge:`` names and ``zoo merge``).
Importing this package imports no torch.
"""
