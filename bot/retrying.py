"""One retry policy for what the bot sends on its own: outbox rows and broadcast notices.

A failed delivery is one of three kinds (the port's exceptions, `bot/ports.py`):

- **certain** (`RetryLater`: a refused or dropped connection, 5xx, 429 flood control): the
  platform did not take the message, so trying again cannot duplicate it. Retried after a
  back-off (`retry_after` when the platform names one, else doubling from 2 s up to 5
  minutes) until `MAX_ATTEMPTS` certain failures; then the message has failed for good.
- **uncertain** (`Uncertain`: no answer in time): the platform may have delivered it. Each
  part of a message is tried at most `COPIES` (2) times in all, so a person gets it at most
  twice; after a second timeout the part counts as delivered *unconfirmed* (the row is
  marked sent with `unconfirmed_at`, logged, never tried again) and the next part follows.
- **refused** (`Rejected`): the caller tries once more as plain text, then it has failed.

Certain failures are first retried within the call itself, `QUICK_RETRIES` times after
`QUICK_BACKOFF` × n seconds (5xx and dropped connections; the request layer,
`handlers/retry.py`); only what still fails comes here. Nothing else is retried there for a
call made under this policy: a timeout or a 429 comes here at once, so the two layers
never multiply a message. (Direct replies to a person, which have no outbox behind them,
also get the request layer's one repeat of a timed-out send and PTB's waits on a 429.)
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import RetryLater, Uncertain

MAX_ATTEMPTS = 12  # certain failures of one message before it has failed for good
COPIES = 2  # deliveries of one part at most: the first, and one after a timeout
BACKOFF_BASE = 2.0  # seconds before the first retry of a certain failure; doubles
BACKOFF_CAP = 300.0  # never waits longer than this between two tries

# the request layer (handlers/retry.py)
QUICK_RETRIES = 3  # 5xx and dropped connections, within one call
QUICK_BACKOFF = 0.25  # seconds, times the retry's number
TIMEOUT_RETRIES = 1  # direct replies only: a timed-out send is repeated once (two copies)


@dataclass(frozen=True)
class Verdict:
    """What to do after a failure: try again in `delay` seconds (`retry`), count the part
    as delivered without confirmation (`unconfirmed`), or neither: it failed for good."""

    retry: bool
    delay: float = 0.0
    unconfirmed: bool = False


def backoff(attempts: int, hint: float = 0.0) -> float:
    """Seconds to wait after the `attempts`-th earlier failure (0 for the first)."""
    return max(hint, min(BACKOFF_CAP, BACKOFF_BASE * float(2 ** min(attempts, 16))))


def after(error: RetryLater, attempts: int, uncertain: int) -> Verdict:
    """The verdict on `error`, given the message's earlier certain failures (`attempts`)
    and the timeouts of the part that failed now (`uncertain`, not counting this one)."""
    if isinstance(error, Uncertain):
        if uncertain + 1 >= COPIES:
            return Verdict(retry=False, unconfirmed=True)
        return Verdict(retry=True, delay=backoff(0, error.seconds))
    if attempts + 1 >= MAX_ATTEMPTS:
        return Verdict(retry=False)
    if error.flood:  # the platform said how long: exactly that
        return Verdict(retry=True, delay=max(1.0, error.seconds))
    return Verdict(retry=True, delay=backoff(attempts, error.seconds))
