"""Notifications: outbox, channels and reminders (issue 6)."""
