"""Counting SQL queries across test-client requests (Django's own capture is reset per request)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


class QueryLog(list[str]):
    def report(self) -> str:
        return "\n".join(f"{number}. {sql}" for number, sql in enumerate(self, start=1))


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    """Record every statement sent to the database inside the block."""
    log = QueryLog()

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        log.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield log
