"""The Slack app (slack-bolt): answers with citations in threads, with feedback buttons.

`build_app` and `make_client` live in `bot.slack.app`; they are re-exported lazily so that
`resbot feedback export` (which needs only `bot.slack.feedback`) does not import slack_bolt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.slack.app import build_app, make_client

__all__ = ["build_app", "make_client"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.slack import app

        return getattr(app, name)
    raise AttributeError(name)
