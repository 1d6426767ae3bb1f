"""What every layer shares: the exception hierarchy (`core.errors`).

`ingest/` and `bot/` both import from here, so neither reaches into the other for it.
"""
