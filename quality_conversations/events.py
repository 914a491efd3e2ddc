"""The events the quality conversations put into the outbox; notifications key their messages by
these."""

CONVERSATION_OFFERED = "qualityconversation.offer"
CONVERSATION_ACCEPTED = "qualityconversation.accept"
CONVERSATION_DECLINED = "qualityconversation.decline"
CONVERSATION_SCHEDULED = "qualityconversation.schedule"
CONVERSATION_HELD = "qualityconversation.hold"
CONVERSATION_DOCUMENTED = "qualityconversation.document"
CONVERSATION_NOT_APPLICABLE = "qualityconversation.mark_not_applicable"
CONVERSATION_EXPIRED = "qualityconversation.expire"
