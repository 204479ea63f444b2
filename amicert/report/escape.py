"""Product text made inert for the format it is shown in: Markdown, HTML, Allure names.

Reasons, finding messages, notes and labels carry bytes a product chose (a Fault string, a Verb,
a header). In a report they must read as text: never a heading, a table row, a link, markup or
script.
"""

from __future__ import annotations

import html as _html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_NEWLINES = re.compile(r"[\r\n\t]+")
#: Markdown punctuation that could open or close markup anywhere in a line
_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")
#: what could open a block (heading, list, quote, rule) at the start of a line or list item
_MD_BLOCK = re.compile(r"^(\s*(?:\d+)?)([#+\-=]|(?<=\d)[.)])")


def one_line(text: str) -> str:
    """The text on one line, without control characters (nothing can start a new block)."""
    return _CONTROL.sub("\ufffd", _NEWLINES.sub(" ", text))


def markdown(text: str, limit: int | None = None) -> str:
    """Text for a Markdown line or table cell: inline, every markup character escaped.

    HTML-significant characters become entities, Markdown punctuation is backslash-escaped (a
    ``|`` cannot end a table cell, a ``#`` cannot start a heading, ``**`` cannot embolden).
    ``limit`` cuts the text before escaping, so an escape is never cut in half.
    """
    text = one_line(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    text = _MD_PUNCT.sub(r"\\\1", _html.escape(text, quote=True))
    return _MD_BLOCK.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)


def html(text: str) -> str:
    """Text for an HTML element or attribute value."""
    return _html.escape(text, quote=True)


def label(text: str, limit: int = 200) -> str:
    """A short name for a viewer that may render it (Allure attachment and step names).

    Markup characters are replaced by look-alikes, so the name stays readable and inert whether
    or not the viewer escapes it.
    """
    text = one_line(text)[:limit]
    return text.translate(_LOOKALIKES)


#: markup characters and their inert look-alikes
_LOOKALIKES = str.maketrans(
    {"<": "\u2039", ">": "\u203a", "&": "\uff06", '"': "\uff02", "`": "\u02cb"}
)
