"""Open311 GeoReport v2 endpoints at /open311/v2/, in JSON and XML (see georeport.py)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from grievance import uow
from grievance.extensions import csrf
from grievance.i18n import lang
from grievance.oversight import georeport
from grievance.oversight.georeport import Open311Error
from grievance.site.guards import UnusableParameter
from grievance.tracking.session import tracked_id

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)  # machine clients; POST carries its own api_key

FMT = "<any(json, xml):fmt>"
# XML element names of the specification: (root, item) per kind of answer.
XML_NAMES = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def _xml_value(parent: Element, key: str, value: Any) -> None:
    if value is None:
        if key in ("lat", "long"):
            return  # we have no coordinates: left out rather than sent empty
        SubElement(parent, key)
    elif isinstance(value, list):
        holder = SubElement(parent, key)
        for item in value:
            _xml_dict(SubElement(holder, key[:-1] or key), item)
    elif isinstance(value, bool):
        SubElement(parent, key).text = "true" if value else "false"
    else:
        SubElement(parent, key).text = str(value)


def _xml_dict(parent: Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _xml_value(parent, key, value)


def render(fmt: str, kind: str, body: Any, status: int = 200) -> Response:
    if fmt == "xml":
        if kind == "definition":
            root = Element("service_definition")
            _xml_dict(root, body)
        else:
            root_name, item_name = XML_NAMES[kind]
            root = Element(root_name)
            for item in body:
                _xml_dict(SubElement(root, item_name), item)
        payload = (
            b'<?xml version="1.0" encoding="utf-8"?>\n'
            + tostring(root, encoding="unicode").encode()
        )
        return Response(payload, status=status, mimetype="text/xml")
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, mimetype="application/json")


def error(fmt: str, code: int, description: str) -> Response:
    return render(fmt, "errors", [{"code": code, "description": description}], code)


def _fmt() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


@bp.errorhandler(Open311Error)
def open311_error(exc: Open311Error) -> Response:
    uow.discard()
    return error(_fmt(), exc.code, exc.description)


def http_error(exc: HTTPException) -> Response:
    """Every HTTP error under /open311/, routing errors included (registered for the prefix
    in grievance.oversight.init_app): the GeoReport v2 error list, in JSON or XML."""
    code = exc.code or 500
    if code == 404:
        return error(_fmt(), code, _("There is no such Open311 resource."))
    if isinstance(exc, UnusableParameter):
        name = exc.parameter
        return error(
            _fmt(), code, _("%(name)s is too long or contains control characters.", name=name)
        )
    return error(_fmt(), code, exc.name)


@bp.get(f"/services.{FMT}")
def services(fmt: str) -> Response:
    return render(fmt, "services", georeport.services(lang()))


@bp.get(f"/services/<code>.{FMT}")
def service_definition(code: str, fmt: str) -> Response:
    return render(fmt, "definition", georeport.definition(code))


def _viewer() -> georeport.Viewer:
    api_key = request.args.get("api_key")
    partner = georeport.partner_for(api_key) if api_key else None
    return georeport.Viewer(partner.id if partner else None, tracked_id())


@bp.get(f"/requests.{FMT}")
def requests_list(fmt: str) -> Response:
    query = georeport.parse_query(request.args.to_dict())
    return render(fmt, "requests", georeport.requests(query, lang(), _viewer()))


@bp.get(f"/requests/<request_id>.{FMT}")
def request_show(request_id: str, fmt: str) -> Response:
    return render(fmt, "requests", georeport.one_request(request_id, lang(), _viewer()))


@bp.post(f"/requests.{FMT}")
def request_create(fmt: str) -> Response:
    if "api_key" in request.args:  # a key in a URL ends up in logs and proxies: refuse it
        raise Open311Error(400, _("Send the api_key in the request body, not in the URL."))
    form = {**request.args.to_dict(), **request.form.to_dict()}
    answer = georeport.create(form)
    return render(fmt, "requests", answer, 201)
