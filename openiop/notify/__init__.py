"""Notification gateway (email, SMS adapter, in-app inbox), reminders, preferences."""
