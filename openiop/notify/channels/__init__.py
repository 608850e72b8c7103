"""Channel adapters: each vendor behind one small module (STYLE.md point 2)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """What a channel said about one try: sent, retry later, or failed for good."""

    kind: str  # "sent", "retry" or "failed"
    provider_id: str = ""
    error: str = ""
    # The address itself is bad (an invalid number): stop using it until the person changes it.
    address_invalid: bool = False
    # The recipient told the provider to stop (SMS STOP): honour it as an opt-out.
    opted_out: bool = False

    @classmethod
    def sent(cls, provider_id: str = "") -> "Outcome":
        return cls("sent", provider_id=provider_id)

    @classmethod
    def retry(cls, error: str) -> "Outcome":
        return cls("retry", error=error[:300])

    @classmethod
    def failed(
        cls, error: str, *, address_invalid: bool = False, opted_out: bool = False
    ) -> "Outcome":
        return cls(
            "failed", error=error[:300], address_invalid=address_invalid, opted_out=opted_out
        )
