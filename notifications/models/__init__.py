from notifications.models.notification import Notification
from notifications.models.outbox import OutboxEvent
from notifications.models.preference import NotificationPreference

__all__ = ["Notification", "NotificationPreference", "OutboxEvent"]
