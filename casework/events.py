"""The events the pre-decision case workflow and the quality conversations put into the outbox;
notifications key their messages by these."""

CASE_ASSESSMENT_STARTED = "case.start_assessment"
CASE_DECIDED = "case.decide"
CASE_APPEALED = "case.appeal"
CASE_CLOSED = "case.close"

HOME_VISIT_SCHEDULED = "homevisit.schedule"
HOME_VISIT_COMPLETED = "homevisit.complete"
HOME_VISIT_MISSED = "homevisit.miss"

CONVERSATION_OFFERED = "qualityconversation.offer"
CONVERSATION_ACCEPTED = "qualityconversation.accept"
CONVERSATION_DECLINED = "qualityconversation.decline"
CONVERSATION_SCHEDULED = "qualityconversation.schedule"
CONVERSATION_HELD = "qualityconversation.hold"
CONVERSATION_DOCUMENTED = "qualityconversation.document"
CONVERSATION_NOT_APPLICABLE = "qualityconversation.mark_not_applicable"
CONVERSATION_EXPIRED = "qualityconversation.expire"
