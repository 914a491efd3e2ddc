"""The events the pre-decision case workflow puts into the outbox; notifications key their
messages by these."""

CASE_ASSESSMENT_STARTED = "case.start_assessment"
CASE_DECIDED = "case.decide"
CASE_APPEALED = "case.appeal"
CASE_CLOSED = "case.close"

HOME_VISIT_SCHEDULED = "homevisit.schedule"
HOME_VISIT_COMPLETED = "homevisit.complete"
HOME_VISIT_MISSED = "homevisit.miss"
