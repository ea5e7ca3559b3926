"""embedding-zoo: a plugin-based embedding-model zoo. Importing it stays light: no torch here."""

from zoo.hookspecs import hookimpl
from zoo.protocols import (
    BackendSpec,
    Encoder,
    EncoderSpec,
    ItemScores,
    Param,
    PostProcessor,
    PostProcessorSpec,
    Retriever,
    SearchBackend,
    SearchStats,
    SuiteSpec,
    Task,
    TaskScores,
    TaskSpec,
)

__version__ = "0.1.0"
__all__ = [
    "BackendSpec",
    "Encoder",
    "EncoderSpec",
    "ItemScores",
    "Param",
    "PostProcessor",
    "PostProcessorSpec",
    "Retriever",
    "SearchBackend",
    "SearchStats",
    "SuiteSpec",
    "Task",
    "TaskScores",
    "TaskSpec",
    "hookimpl",
    "__version__",
]
