"""The project's exception hierarchy; translated to one line only at the edges (CLI, Slack)."""


class ResbotError(Exception):
    """Base class for every error resbot raises on purpose."""


class ParseError(ResbotError):
    """A file could not be read as a resolution (corrupt, empty, hostile, unsupported)."""


class UnsupportedFormat(ParseError):
    """The file's extension is not one we parse; skipped with a note, not a failure."""


class StoreLocked(ResbotError):
    """Another process holds the write lock on a local store."""


class StoreError(ResbotError):
    """The vector store could not be reached or written."""
