"""The events the kernel (consents and mandates) and the pre-decision case workflow put into the
outbox; notifications key their messages by these."""

# A consent withdrawn, a mandate's last valid day changed. The payload names no person: per open
# plan and active group of the person, its id and how many rows were marked there (casework.basis),
# e.g. {"plans": [{"id": 4, "marked": 1, "consent_missing": false}], "groups": [{"id": 7,
# "marked": 2}]}; a mandate's also its last valid day and whether it is past.
CONSENT_WITHDRAWN = "consent.withdrawn"
MANDATE_ENDED = "mandate.ended"


CASE_ASSESSMENT_STARTED = "case.start_assessment"
CASE_DECIDED = "case.decide"
CASE_APPEALED = "case.appeal"
CASE_CLOSED = "case.close"

HOME_VISIT_SCHEDULED = "homevisit.schedule"
HOME_VISIT_COMPLETED = "homevisit.complete"
HOME_VISIT_MISSED = "homevisit.miss"
