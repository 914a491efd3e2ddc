"""The events the kernel puts into the outbox (consents and mandates); notifications key their
messages by these."""

# A consent withdrawn, a mandate's last valid day changed. The payload names no person: per open
# plan and active group of the person, its id and how many rows were marked there (casework.basis),
# e.g. {"plans": [{"id": 4, "marked": 1, "consent_missing": false}], "groups": [{"id": 7,
# "marked": 2}]}; a mandate's also its last valid day and whether it is past.
CONSENT_WITHDRAWN = "consent.withdrawn"
MANDATE_ENDED = "mandate.ended"
