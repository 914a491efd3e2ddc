"""Page-number pagination as fixed in the API contract: ``?page=N&page_size=M`` (max 200).

Both numbers are whole numbers written with ASCII digits; anything else, and a page size over
200, is refused (400) rather than quietly replaced by the default, so a client learns of its
mistake. A page past the last answers 404, as DRF does.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import pagination, serializers
from rest_framework.request import Request


def _whole_number(request: Request, name: str, *, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        message = _("A whole number from 1.")
    elif maximum is not None and int(raw) > maximum:
        message = _("At most %(maximum)d.") % {"maximum": maximum}
    else:
        return int(raw)
    raise serializers.ValidationError({name: [serializers.ErrorDetail(message, code="invalid")]})


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        wanted = _whole_number(request, self.page_size_query_param, maximum=self.max_page_size)
        return self.page_size if wanted is None else wanted

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        _whole_number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = list(super().get_schema_operation_parameters(view))
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
