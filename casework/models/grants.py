"""django-guardian per-object grants with direct foreign keys (no generic relation scans)."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.models.people import ServiceUser


class ServiceUserUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class ServiceUserGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
