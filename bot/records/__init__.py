"""The UN's adoption records (votes, sponsors, drafts, subjects) beside the resolution texts."""
