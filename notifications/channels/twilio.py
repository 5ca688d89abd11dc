"""SMS through the Twilio Messages API (or anything speaking it). The request signature of
its callbacks is in grievance.integrations.twilio."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from grievance.integrations import public_url
from notifications.channels import Message, PermanentError, RecipientOptedOut, TemporaryError

TIMEOUT_SECONDS = 10.0
API_VERSION = "2010-04-01"
CLOCK_SKEW = timedelta(minutes=2)  # between our clock and the gateway's date_created
STATUS_PATH = "/notifications/twilio/status"
UNSUBSCRIBED = 21610  # the number replied STOP to the gateway itself
PAGE_SIZE = 200  # messages per page when asking whether one already left (Twilio: <= 1000)
MAX_PAGES = 50  # 10,000 messages to one number since the claim: give up for now
_client: httpx.Client | None = None


def http() -> httpx.Client:
    """One client per process: building one loads the CA bundle (tens of milliseconds)."""
    global _client
    if _client is None:
        _client = httpx.Client()
    return _client


class TwilioSMS:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str,
        status_callback: str = "",
        timeout: float | None = None,
    ) -> None:
        if not (account_sid and auth_token and sender):
            raise PermanentError("twilio not configured")
        self.base = api_base.rstrip("/")
        self.url = f"{self.base}/{API_VERSION}/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.sender = sender
        self.status_callback = status_callback
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout

    @classmethod
    def from_config(cls, cfg: Any) -> TwilioSMS:
        callback = public_url(STATUS_PATH)
        return cls(
            cfg.TWILIO_ACCOUNT_SID,
            cfg.TWILIO_AUTH_TOKEN,
            cfg.TWILIO_FROM,
            cfg.TWILIO_API_BASE,
            status_callback=callback,
        )

    def _sender_field(self) -> str:
        # A Messaging Service SID (MG...) is sent as such; anything else is a number.
        return "MessagingServiceSid" if self.sender.startswith("MG") else "From"

    def send(self, message: Message) -> str:
        data = {"To": message.to, self._sender_field(): self.sender, "Body": message.body}
        if self.status_callback:
            data["StatusCallback"] = self.status_callback
        response = self._call("POST", data=data)
        sid = response.get("sid")
        if not isinstance(sid, str) or not sid:
            raise TemporaryError("gateway answered without a message id")
        return sid

    def lookup(self, message: Message, since: datetime) -> str | None:
        """The message's id if the gateway already has it. Exact: the body is unique to
        its outbox row (its one-time link is derived from the row's key), and every
        message to the number since `since` is read, a page at a time, newest first,
        however many a shared phone received meanwhile. A listing too long to finish is
        a temporary failure (asked again later), never a reason to send a second copy."""
        params = {"To": message.to, "PageSize": str(PAGE_SIZE)}
        if self._sender_field() == "From":
            params["From"] = self.sender
        floor = since - CLOCK_SKEW
        listing = self._call("GET", params=params)
        for _ in range(MAX_PAGES):
            items = listing.get("messages") or []
            found = _find(items, message.body, floor)
            if found is not None:
                return found
            following = listing.get("next_page_uri")
            if not isinstance(following, str) or not following.startswith("/"):
                return None
            if items and all(_created_before(item, floor) for item in items):
                return None  # newest first: everything further is older still
            listing = self._call("GET", url=self.base + following)
        raise TemporaryError("gateway listing too long to search")

    def _call(self, method: str, url: str | None = None, **kwargs: Any) -> dict[str, Any]:
        try:
            response = http().request(
                method, url or self.url, auth=self.auth, timeout=self.timeout, **kwargs
            )
        except httpx.TimeoutException:
            raise TemporaryError("gateway timeout") from None
        except httpx.HTTPError:
            raise TemporaryError("gateway unreachable") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise TemporaryError(f"gateway {status}")
        body = _json(response)
        if status >= 400:
            code = body.get("code", "?")
            if code == UNSUBSCRIBED:
                raise RecipientOptedOut("opted_out")
            # Twilio's own message may quote the number; keep only the codes.
            raise PermanentError(f"gateway {status} code {code}")
        return body


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _created(item: dict[str, Any]) -> datetime | None:
    try:
        return parsedate_to_datetime(str(item.get("date_created")))
    except (TypeError, ValueError):
        return None


def _created_before(item: dict[str, Any], floor: datetime) -> bool:
    created = _created(item)
    return created is not None and created < floor


def _find(messages: Iterable[dict[str, Any]], body: str, since: datetime) -> str | None:
    for item in messages:
        if item.get("body") != body:
            continue
        created = _created(item)
        if created is not None and created >= since and isinstance(item.get("sid"), str):
            return str(item["sid"])
    return None
