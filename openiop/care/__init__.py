"""Treatment plans, goals, homework and coping exercises."""
