"""django-guardian per-object grants with direct foreign keys (no generic relation scans)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.models.people import ServiceUser


class ServiceUserUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("access grant to a service user (user)")
        verbose_name_plural = _("access grants to service users (users)")


class ServiceUserGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("access grant to a service user (group)")
        verbose_name_plural = _("access grants to service users (groups)")
