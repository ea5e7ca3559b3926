"""The public, versioned surface of the zoo layer for plugin authors: hooks, contracts, errors, fingerprints,
option parsing and the building blocks of an encoder.

Import from here (and from ``harness.api`` for tasks, data and search backends), never from the modules
behind it: those may move, these names stay. Within one major ``API_VERSION`` names are only added; a name
is removed or changed incompatibly only with a new major version. Importing this module is cheap: each name
is imported on first use, and none of them imports torch until an encoder loads its weights.
"""

from __future__ import annotations

from zoo.exports import lazy_exports

API_VERSION = "1.0"

EXPORTS: dict[str, str] = {
    # hooks and the contracts plugins implement
    "hookimpl": "zoo.hookspecs",
    **dict.fromkeys(
        (
            "Encoder",
            "EncoderSpec",
            "PostProcessor",
            "PostProcessorSpec",
            "Quantizer",
            "SearchBackend",
            "BackendSpec",
            "SearchStats",
            "Task",
            "TaskSpec",
            "TaskScores",
            "ItemScores",
            "Role",
            "Similarity",
            "SIMILARITIES",
        ),
        "zoo.protocols",
    ),
    "Param": "zoo.protocols",  # a declared option of a backend or post-processor: type, bounds, choices
    **dict.fromkeys(("Retriever", "MultiVectorEncoder", "ApiUsage", "SuiteSpec"), "zoo.protocols"),
    "ZooError": "zoo.errors",
    "DataError": "zoo.errors",
    # fingerprints: 16 hex characters of SHA-256 over canonical JSON or file contents
    "fingerprint": "zoo.fingerprint",
    "hash_file": "zoo.fingerprint",
    "hash_files": "zoo.fingerprint",
    # reading input files under the project's rules (UTF-8, BOM dropped, errors naming file and line)
    **dict.fromkeys(("text_lines", "read_text", "read_json", "json_objects", "check_string"), "zoo.textio"),
    # paths made from data, and archives, that never leave their folder
    **dict.fromkeys(("component", "inside", "extract_zip"), "zoo.safepaths"),
    # options written into a name ("binary?rescore=4")
    "parse_options": "zoo.options",
    # building an encoder
    "BaseEncoder": "zoo.encoders.skeleton",
    **dict.fromkeys(
        (
            "check_role",
            "check_texts",
            "empty",
            "l2_normalize",
            "require",
            "pick_device",
            "pick_dtype",
            "dtype_kwargs",
            "PromptSettings",
            "file_fingerprint",
            "model_files",
            "weights_fingerprint",
            "state_dict_fingerprint",
            "hub_snapshot",
        ),
        "zoo.encoders.base",
    ),
    "safetensors_parameters": "zoo.encoders.base",
    "TransformersEncoder": "zoo.encoders.transformers",
    "pool": "zoo.encoders.transformers",
    "freshly_initialised": "zoo.encoders.untrained",
    # the registry, for plugins that wrap another registered component
    "find_encoder": "zoo.registry",
    "warn": "zoo.plugins",
}
__all__ = ["API_VERSION", *sorted(EXPORTS)]
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
