from casework.models.audit import AccessLogEntry, AuditEvent
from casework.models.grants import AccessGrant, ServiceUserUserObjectPermission
from casework.models.organisation import Municipality, ServiceArea, StaffMembership, Unit
from casework.models.outbox import OutboxEvent
from casework.models.people import Consent, Mandate, Representative, ServiceUser, mask_national_id
from casework.models.security import ApiToken, LoginThrottle
from casework.models.workflow import WorkflowTransition

__all__ = [
    "AccessGrant",
    "AccessLogEntry",
    "ApiToken",
    "AuditEvent",
    "Consent",
    "LoginThrottle",
    "Mandate",
    "Municipality",
    "OutboxEvent",
    "Representative",
    "ServiceArea",
    "ServiceUser",
    "ServiceUserUserObjectPermission",
    "StaffMembership",
    "Unit",
    "WorkflowTransition",
    "mask_national_id",
]
