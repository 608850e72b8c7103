"""Notification gateway (email, SMS adapter, in-app inbox), reminders, preferences.

How to schedule a reminder from your app (measures, care, safety, ...): inside the
transaction of the change that makes it due, call
``openiop.notify.services.notify_send(user=client.user, key=..., subject=..., body=...,
send_at=<UTC datetime>, link=reverse(...))``. The key is your idempotency key, one per event
and recipient, e.g. ``"measure:<assignment_id>:<client_id>:due"``; start it with your app's
name so ``notify_withdraw(key_prefix="measure:<assignment_id>:")`` can withdraw every pending
one when the event moves or is cancelled (then call ``notify_send`` again with the new time:
a withdrawn key is queued again). Write neutral text: a client's message in discreet mode (the
default) that names therapy, a condition, a group topic or the program raises
``DiscreetWordingError`` (the list is ``openiop.notify.wordlist``), so say "You have something
to fill in. Open the app for details." and let the link (which needs a login) carry the rest.
The gateway picks the person's channels, keeps each message out of their quiet hours (to
choose earlier-or-drop yourself, use ``quiet_hours_adjust(pref=preference_for(user),
when=..., deadline=<event time>)`` first), retries, and records every attempt. For staff pages
that must go now (a risk alert), pass ``staff=True``: email and in-app, no quiet hours, no
word check. A to-do for staff is ``staff_task_add(user=..., key=..., title=..., due_at=...)``.
"""
