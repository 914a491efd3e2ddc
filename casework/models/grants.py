"""django-guardian per-object grants with direct foreign keys (no generic relation scans).

Grants are to users only: the access path (``casework.selectors``) reads this table, so a group
grant would look like access in the admin and give none.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from casework.models.people import ServiceUser


class ServiceUserUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("access grant to a service user (user)")
        verbose_name_plural = _("access grants to service users (users)")
