"""Mandates: who must do or report what, to whom, by when — extracted from operative paragraphs.

* ``extract.extract_mandates(resolution) -> list[Mandate]``: deterministic rules, no model.
* ``table.MandateTable``: the mandates of many resolutions (SQLite or in memory), queried
  by actor, reporting, due year, recipient body, text and year.
* ``questions.is_mandate_question`` / ``format_mandates``: the chat side.
"""

from bot.mandates.extract import Mandate, extract_mandates

__all__ = ["Mandate", "extract_mandates"]
