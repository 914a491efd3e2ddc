from responsibility_groups.models.group import GroupMember, ResponsibilityGroup
from responsibility_groups.models.meeting import (
    AgendaItem,
    Agreement,
    Attendance,
    CalendarFeedToken,
    Meeting,
    MeetingBooking,
    MinutesComment,
    MinutesTopic,
    MinutesVersion,
)

__all__ = [
    "AgendaItem",
    "Agreement",
    "Attendance",
    "CalendarFeedToken",
    "GroupMember",
    "Meeting",
    "MeetingBooking",
    "MinutesComment",
    "MinutesTopic",
    "MinutesVersion",
    "ResponsibilityGroup",
]
