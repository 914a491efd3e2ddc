"""Individual plans (issue 3): the statutory plan as a state machine."""
