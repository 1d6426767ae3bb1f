"""Text going to and coming from Slack.

Outbound: everything that comes from a document or a model is untrusted. Slack parses `<...>`
as control sequences (`<!channel>`, `<@U123>`, `<https://evil|undocs.org>`), so `& < >` are
escaped (Slack's own rule), which turns them into harmless literal text. Bare `@channel`,
`@here`, `@everyone` get a zero-width space so they cannot ping anyone even if a client or a
`link_names` flag were to parse them. Control characters and bidi overrides are dropped
(`bot.safe_text`).

Inbound: a question arrives in Slack's encoding (entities, `<@U..>`, `<url|label>`); the
answerer gets plain text.
"""

from __future__ import annotations

import re

from bot.safe_text import clean

_ZWSP = "\u200b"
_BROADCAST = re.compile(r"(?<![\w@])@(?=(?:channel|here|everyone|group)\b)", re.IGNORECASE)


def escape(text: str) -> str:
    """Untrusted text made inert for Slack `mrkdwn` and plain `text` fields (controls and
    bidi overrides dropped too)."""
    text = clean(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + _ZWSP, text)


def escape_link_label(text: str) -> str:
    """Text for the label part of `<url|label>`: escaped, and without the `|` separator."""
    return escape(text).replace("|", "¦")


_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def _plain_token(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith(("@U", "@W", "@B")):
        return "@" + (label or "user")
    if target.startswith("#C"):
        return "#" + (label or "channel")
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^S123|@team>, <!date^...|fallback>
        return label or "@" + target[1:].split("^")[0]
    return label or target


def to_plain(text: str, bot_user_id: str | None = None) -> str:
    """A question as the user typed it: the bot's own mention removed, Slack markup resolved."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _SLACK_TOKEN.sub(_plain_token, text)
    # Only these three entities are encoded by Slack; html.unescape would also decode others
    # a user typed literally, e.g. "&copy;".
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def unescape(text: str) -> str:
    """Inverse of `escape` for text we wrote ourselves (read back from a thread)."""
    text = text.replace("@" + _ZWSP, "@")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
