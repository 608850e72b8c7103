"""Scheduling workflows, one module per area: series (recurrence, occurrences, closures),
bookings (seats, waitlist, make-up, reschedule), attendance (roster, corrections, hours),
calendar (private feeds). Import from the module that holds the function."""
