"""Page-number pagination as fixed in the API contract: ``?page=N&page_size=M`` (max 200).

Both numbers are whole numbers written with ASCII digits; anything else, and a page size over
200, is refused (400, ``casework.api.params.whole_number_param``) rather than quietly replaced by
the default, so a client learns of its mistake. A page past the last answers 404, as DRF does.
"""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.request import Request

from casework.api.params import MAX_PAGE_SIZE, whole_number_param


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        wanted = whole_number_param(request, self.page_size_query_param, maximum=self.max_page_size)
        return self.page_size if wanted is None else wanted

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        whole_number_param(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = list(super().get_schema_operation_parameters(view))
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
