"""Input serializer base: unknown fields are an error, not silently ignored."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not declare (400 ``unknown_field``), and read-only ones."""

    default_error_messages = {"unknown_field": _("Unknown field.")}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [serializers.ErrorDetail(str(_("Unknown field.")), code="unknown_field")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)

    def create(self, validated_data: Any) -> Any:  # pragma: no cover - input only
        raise NotImplementedError("Input serializers do not write; call a service.")

    def update(self, instance: Any, validated_data: Any) -> Any:  # pragma: no cover
        raise NotImplementedError("Input serializers do not write; call a service.")
