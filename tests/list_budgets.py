"""The query budget of every list route: who reads it, how its rows are made, and the pinned count.

tests/test_query_budgets.py reads each list through the whole HTTP stack with an API token, with
1, 10 and 50 rows on one page, and asserts exactly the number pinned here for each login, at every
size. The list routes come from the URL conf (tests/list_routes.py); one with no entry here fails.

A count that grows with the rows is an N+1: fix it in the selector or queryset, not here. A count
that changes at every size alike is a decision: pin the new number and say what the query is.
The numbers are the same on SQLite and PostgreSQL: both run the request's atomic block as a
savepoint inside the test's transaction, and both return the new rows' ids from the access log's
one INSERT (RETURNING; SQLite 3.35 and later), so no vendor adds or saves a statement.

What every read costs before its own queries:

    SAVEPOINT, RELEASE SAVEPOINT  the request's atomic block (ATOMIC_REQUESTS); in the test it is a
                                  savepoint in the test's transaction (in production BEGIN and
                                  COMMIT, which the execute wrapper does not see)              2
    token                         ApiTokenAuthentication: the token, joined with its user      1
    reach                         reach_for(): the staff memberships in active units, and
                                  whether the login represents anyone (an EXISTS)              2
                                  (and who, with a mandate or consent in force, for those who
                                  do: +1); a superuser's reach needs no query                  0

so 5 for staff, 3 for ``admin``, before the list's own queries. The short names below:

    count   the paginator's COUNT(*), with the same reach filter as the page
    page    the page of rows (LIMIT 50), with the JOINs of its select_related
    units   one IN query for the units of the people on the page (prefetch_related): the access
            log derives each read's role and basis from them
    log     access_log_record(): one bulk INSERT, a row per person shown
    parent  the object a nested list hangs under, through its selector (404 outside reach), with
            its person's units
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests import list_rows as rows
from tests.list_rows import Scene


@dataclass(frozen=True)
class Budget:
    rows: Callable[[Scene, int], str]  # brings the list to n rows, returns the path to read
    logins: dict[str, int]  # login -> queries per request, whatever the number of rows


# Each entry: the pinned count for each login, and what the queries are after the common ones.
REGISTRY: dict[str, Budget] = {
    # --- casework -------------------------------------------------------------------------------
    # GET /api/v1/cases/ as saksbehandler (9), line by line:
    #   1. SAVEPOINT                   the request's atomic block opens
    #   2. casework_apitoken JOIN auth_user      the token in the Authorization header, and its user
    #   3. casework_staffmembership    reach: the caseworker's units and roles (active units only)
    #   4. EXISTS casework_representative        reach: does she represent anyone? (no: nothing more)
    #   5. COUNT(*) casework_case      the paginator's count, filtered by the reach subquery (a UNION
    #                                  of the people of her units and of her access-ledger reasons)
    #   6. casework_case               the page: the same filter, JOIN person, unit and decision
    #                                  (CaseSerializer shows the decision), ORDER BY received_on, id
    #   7. casework_unit               the units of the page's people, one IN query
    #   8. INSERT casework_accesslogentry        one row per person on the page
    #   9. RELEASE SAVEPOINT
    # admin (7): no reach queries (3, 4), and no reach filter in 5 and 6.
    "case-list": Budget(rows.cases, {"saksbehandler": 9, "admin": 7}),
    # 5 + count, page, units, log.
    "service-user-list": Budget(rows.service_users, {"saksbehandler": 9, "admin": 7}),
    # 5 + count, page (JOIN service area and municipality). Units are not personal data: no log.
    "unit-list": Budget(rows.units, {"saksbehandler": 7, "admin": 5}),
    # 5 + count, page (JOIN person), units, log.
    "representative-list": Budget(rows.representatives, {"saksbehandler": 9, "admin": 7}),
    # 5 + count, page (JOIN representative and their person), units, log.
    "mandate-list": Budget(rows.mandates, {"saksbehandler": 9, "admin": 7}),
    # 5 + count, page (JOIN person and both representatives), units, log.
    "consent-list": Budget(rows.consents, {"saksbehandler": 9, "admin": 7}),
    # 5 + parent (the person), units, log (the read itself), count, page (JOIN the reader).
    "service-user-access-log": Budget(rows.access_log, {"leder": 10, "admin": 8}),
    # 5 + parent (the person), units, log, count, page (JOIN the user given the reason).
    "service-user-access-reasons": Budget(rows.access_reasons, {"saksbehandler": 10, "admin": 8}),
    # 5 + page (all the undecided cases past the deadline, JOIN person, unit and decision; paged in
    # Python, so no COUNT), units, log.
    "case-past-deadline": Budget(rows.cases_past_deadline, {"saksbehandler": 8, "admin": 6}),
    # 5 + parent (the case), units, log, count, page (JOIN the actor).
    "case-history": Budget(rows.case_history, {"saksbehandler": 10, "admin": 8}),
    # 5 + count, page (JOIN case, its person and unit), units, log.
    "home-visit-list": Budget(rows.home_visits, {"saksbehandler": 9, "admin": 7}),
    # 5 + parent (the visit), units, log, count, page (JOIN the actor).
    "home-visit-history": Budget(rows.home_visit_history, {"saksbehandler": 10, "admin": 8}),
    # 5 + count, page (JOIN person and unit), units, log.
    "quality-conversation-list": Budget(rows.quality_conversations, {"kvalitet": 9, "admin": 7}),
    # As the list, filtered to this year's due conversations with a representative.
    "quality-conversation-not-offered": Budget(
        rows.quality_conversations_not_offered, {"kvalitet": 9, "admin": 7}
    ),
    # 5 + parent (the conversation), units, log, count, page (JOIN the actor).
    "quality-conversation-history": Budget(rows.quality_conversation_history, {"kvalitet": 10, "admin": 8}),
    # --- plans ----------------------------------------------------------------------------------
    # 5 + count, page (JOIN person, unit, coordinator), units, log. The guardian (11): the reach asks
    # too whom she represents with a mandate in force (+1), the page is only her person's plans
    # with an approved version, and their latest versions come in one query (JOIN the approver).
    "plan-list": Budget(rows.plans, {"koordinator": 9, "admin": 7, "verge": 11}),
    # 5 + parent (the plan), units, log, count, page (JOIN the actor).
    "plan-history": Budget(rows.plan_history, {"koordinator": 10, "admin": 8}),
    # 5 + parent, units, log, whether the reader sees the plan as staff (an EXISTS through the
    # reach; a superuser always does), count, page (JOIN the approver).
    "plan-versions": Budget(rows.plan_versions, {"koordinator": 11, "admin": 8}),
    # 5 + parent (once a request), units, count, page, the assessments JOIN their review, log.
    "plan-goal-list": Budget(rows.plan_goals, {"koordinator": 11, "admin": 9}),
    # 5 + parent, units, count, page, log.
    "plan-participant-list": Budget(rows.plan_participants, {"koordinator": 10, "admin": 8}),
    # 5 + parent, units, count, page, log.
    "plan-measure-list": Budget(rows.plan_measures, {"koordinator": 10, "admin": 8}),
    # --- responsibility groups and meetings ------------------------------------------------------
    # 5 + count, page (JOIN person, unit, coordinator; the last meeting held as an aggregate), units,
    # log.
    "responsibility-group-list": Budget(rows.groups, {"koordinator": 9, "admin": 7}),
    # 5 + all active groups in reach (overdue is decided and sorted in Python, so no COUNT), units,
    # log.
    "responsibility-group-overdue": Budget(rows.groups_overdue, {"koordinator": 8, "admin": 6}),
    # 5 + parent (the group), units, log, count, page (JOIN login, representative, person), then
    # the sharing status of the page's members: the guardians' mandates in force, the person's
    # consents that cover sharing (sharing_missing_for_seats; each asked only when a member needs
    # it, and the rows start with a member who needs both).
    "responsibility-group-members": Budget(rows.group_members, {"koordinator": 12, "admin": 10}),
    # 5 + count, page (JOIN group, its person, unit, coordinator), units, log.
    "meeting-list": Budget(rows.meetings, {"koordinator": 9, "admin": 7}),
    # 5 + parent (the meeting), units, log, count, page (JOIN the actor).
    "meeting-history": Budget(rows.meeting_history, {"koordinator": 10, "admin": 8}),
    # 5 + parent, units, log, count, page (JOIN the author).
    "meeting-comments": Budget(rows.meeting_comments, {"koordinator": 10, "admin": 8}),
    # 5 + parent, units, log, count, page (JOIN the approver).
    "meeting-minutes-versions": Budget(rows.meeting_minutes_versions, {"koordinator": 10, "admin": 8}),
    # --- notifications --------------------------------------------------------------------------
    # 5 + the plan named in the query (through its selector), its person's units, count, page (JOIN
    # the person), units, log.
    "notification-delivery-list": Budget(rows.deliveries, {"saksbehandler": 11, "admin": 9}),
    # The guardian's own inbox (9): SAVEPOINT, token, whom she has ever represented, her reach (3:
    # memberships, EXISTS, whom she represents now; messages about a person she no longer
    # represents are left out in SQL), count, page, RELEASE. Not logged: the messages are hers.
    "notification-list": Budget(rows.inbox, {"verge": 9}),
}
