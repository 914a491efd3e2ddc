"""The JSON parser of every API view: bounded in depth as well as in size.

``json`` recurses once per level of nesting; a body of a thousand ``[`` reaches Python's recursion
limit, which DRF's parser does not catch (a 500). No request body of the API is more than a few
levels deep, so anything deeper than ``MAX_JSON_DEPTH`` is refused as malformed (400).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 16


def _deeper_than(data: Any, limit: int) -> bool:
    pending = [(data, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON is nested too deeply.")) from error
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise ParseError(
                _("The JSON is nested more than %(limit)d levels deep.") % {"limit": MAX_JSON_DEPTH}
            )
        return data
