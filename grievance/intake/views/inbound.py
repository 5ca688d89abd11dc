"""The inbound webhook of any message channel: verify, parse, act, answer in its format."""

from __future__ import annotations

import logging

from flask import request
from werkzeug.wrappers import Response

from grievance.intake import messages

log = logging.getLogger(__name__)


def receive(channel: messages.MessageChannel) -> Response:
    if not channel.verify(request):
        log.warning("inbound message refused channel=%s: not verified", channel.name)
        return channel.error(403, "forbidden")
    try:
        message = channel.parse(request)
    except messages.BadInbound as exc:
        return channel.error(400, str(exc))
    return channel.reply(messages.handle(message, channel))
