"""Why a notification cannot be sent, whichever part of the delivery finds out."""


class PermanentFailure(Exception):
    """Retrying will not help (a refused recipient, a bad address, a recipient no longer entitled)."""
