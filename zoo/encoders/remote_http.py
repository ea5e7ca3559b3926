"""HTTP for served models: retries with exponential backoff and full jitter, Retry-After, one-line errors.

What is retried: 429 and 5xx answers, timeouts, dropped connections, and bodies that are not the JSON
expected (a truncated response). Anything else in 4xx is the caller's mistake and is raised at once as a
one-line ZooError carrying the server's own message. The secret (an API key) is scrubbed from every message.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from zoo.errors import ZooError

MAX_MESSAGE = 300  # characters of a server's error message kept in ours
RETRY_STATUSES = frozenset({408, 409, 425, 429})  # retried besides every 5xx


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for one answer, how often to try again and how long to wait between tries."""

    retries: int = 6  # tries after the first
    timeout: float = 60.0  # seconds per request (connect, read and write each)
    backoff: float = 0.5  # seconds: the n-th retry waits up to backoff * 2**n, drawn uniformly (full jitter)
    max_backoff: float = 30.0
    max_retry_after: float = 120.0  # a server asking for longer than this is not waited for

    def __post_init__(self) -> None:
        if self.retries < 0 or self.timeout <= 0 or self.backoff < 0:
            raise ZooError(
                f"retries must be >= 0, timeout > 0 and backoff >= 0 (got {self.retries}, "
                f"{self.timeout}, {self.backoff})"
            )

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        jitter = rng.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))
        if retry_after is None:
            return jitter
        return min(retry_after, self.max_retry_after) + rng.uniform(0, self.backoff)


class Transient(Exception):
    """A failure worth another try; ``retry_after`` is what the server asked for, in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Endpoint:
    """One or more base URLs of the same service (replicas), a client shared by threads, and the secret."""

    base_urls: Sequence[str]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    secret: str | None = field(default=None, repr=False)
    label: str = "server"
    connections: int = 8
    sleep: Callable[[float], None] = time.sleep
    _client: Any = field(default=None, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def client(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                timeout=httpx.Timeout(self.policy.timeout),
                headers=self.headers,
                limits=httpx.Limits(max_connections=self.connections * len(self.base_urls)),
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def post(self, path: str, body: dict[str, Any], check: Callable[[Any, Any], Any], *, spread: int = 0) -> Any:
        """POST ``body`` as JSON to ``path`` and return ``check(json, response)``, retrying transient failures.

        ``check`` raises ``Transient`` for a body that is not what was asked for. ``spread`` picks the
        replica to try first; each retry moves on to the next, so one sick replica does not stall a batch.
        """
        return self._with_retries(lambda url: self.client.post(url, json=body), path, check, spread)

    def get(self, path: str, check: Callable[[Any, Any], Any]) -> Any:
        return self._with_retries(lambda url: self.client.get(url), path, check, 0)

    def _with_retries(
        self, send: Callable[[str], Any], path: str, check: Callable[[Any, Any], Any], spread: int
    ) -> Any:
        import httpx

        last = ""
        for attempt in range(self.policy.retries + 1):
            base = self.base_urls[(spread + attempt) % len(self.base_urls)]
            url = f"{base.rstrip('/')}/{path.lstrip('/')}"
            try:
                response = send(url)
                return answer(response, check, url, self.label)
            except Transient as exc:
                last, retry_after = str(exc), exc.retry_after
            except httpx.TimeoutException:
                last, retry_after = f"no answer from {url} within {self.policy.timeout:g} s", None
            except httpx.TransportError as exc:  # refused, reset, a body cut off mid-way
                last, retry_after = f"{type(exc).__name__} from {url}: {first_line(exc)}", None
            except ZooError as exc:
                raise ZooError(self.scrub(str(exc))) from None
            if attempt < self.policy.retries:
                self.sleep(self.policy.delay(attempt, retry_after, self._rng))
        tries = self.policy.retries + 1
        raise ZooError(
            self.scrub(
                f"{self.label}: gave up after {tries} tr{'y' if tries == 1 else 'ies'}; "
                f"last: {last}. Check the server, or raise retries= / timeout="
            )
        )

    def scrub(self, message: str) -> str:
        return message.replace(self.secret, "***") if self.secret else message


def answer(response: Any, check: Callable[[Any, Any], Any], url: str, label: str) -> Any:
    """The checked JSON of a 2xx answer; Transient for 429/5xx and unreadable bodies; ZooError for 4xx."""
    status = response.status_code
    if status in RETRY_STATUSES or status >= 500:
        raise Transient(f"{status} from {url}: {server_message(response)}", retry_after(response))
    if status >= 400:
        raise ZooError(f"{label}: {status} from {url}: {server_message(response)}")
    try:
        data = response.json()
    except ValueError:
        raise Transient(f"{url} answered {len(response.content)} bytes that are not JSON (truncated?)") from None
    return check(data, response)


def server_message(response: Any) -> str:
    """The error message a server sent: OpenAI's {"error": {"message"}}, TEI's {"error"}, or the text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    message: Any = None
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        message = error.get("message", error) if isinstance(error, dict) else error
    text = str(message) if message else response.text or response.reason_phrase
    return " ".join(text.split())[:MAX_MESSAGE] or "(no message)"


def retry_after(response: Any) -> float | None:
    """Seconds from a Retry-After header, given as seconds or as an HTTP date; None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:MAX_MESSAGE]
