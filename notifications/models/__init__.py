from casework.models import OutboxEvent  # the outbox is the kernel's; read here
from notifications.models.notification import Notification
from notifications.models.preference import NotificationPreference

__all__ = ["Notification", "NotificationPreference", "OutboxEvent"]
