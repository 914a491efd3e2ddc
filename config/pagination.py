"""Page-number pagination as fixed in the API contract: ``?page=N&page_size=M`` (max 200)."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
