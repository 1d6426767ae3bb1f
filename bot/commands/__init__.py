"""Sub-commands that live in their own modules, loaded only when invoked (quick start-up)."""
