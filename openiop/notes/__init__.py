"""Progress notes, group notes, psychotherapy notes, signing."""
