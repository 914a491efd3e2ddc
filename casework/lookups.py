"""``pk__in_ids_of=<subquery>``: membership in a subquery that the planner cannot misjudge.

``IN (subquery)`` lets PostgreSQL choose between looking up each id and scanning the whole
table; after bulk loads and with the default ``random_page_cost`` it scans 100 000 service
users to find a caseworker's 1 000 (14 ms instead of 1 ms, see docs/benchmarks.md).
``= ANY(ARRAY(subquery))`` evaluates the subquery once and then fetches by primary key. Other
databases (SQLite) get the plain ``IN``, which they already run as key lookups.
"""

from typing import Any

from django.db import models
from django.db.models import Lookup


@models.BigAutoField.register_lookup
class InIdsOf(Lookup):
    lookup_name = "in_ids_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
