"""OASIS Common Alerting Protocol 1.2: build alert XML from plain dataclasses, check it, read it back.

    xml = build_cap(Alert(identifier=…, sender=…, sent=…, status="Actual", msg_type="Alert",
                          scope="Public", infos=[Info(event=…, categories=["Health"], …)]))
    problems = validate_cap(xml)     # [] when the document follows the CAP 1.2 schema
    alert = parse_cap(xml)           # the same dataclasses

`validate_cap` checks a document against SCHEMA, the element structure of the official schema
(CAP-v1.2.xsd, docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd) written out as data: every
element in its order with its minimum and maximum occurrences, every enumeration, the dateTime
pattern and the simple types. Python's standard library has no XSD validator (and the project
has no lxml); when the official file is placed in schema/ beside this module, the tests derive
the same table from it with `schema_from_xsd` and require them to be equal (schema/README.md).

Plain Python, no Django: usable from any task, command or test.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
XMLDSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
MIME_TYPE = "application/cap+xml"
MAX_BYTES = 1024 * 1024  # a CAP message is a few kilobytes; refuse anything absurd before parsing

STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
# fmt: off
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other")
RESPONSE_TYPES = ("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None")
# fmt: on
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

# --- the schema, as data ---------------------------------------------------------------------------
# A particle is (element name, minOccurs, maxOccurs or None for unbounded, type); a type is a simple
# type name, a tuple of allowed values (an enumeration of xs:string) or a list of particles (a sequence).
# ANY is the final wildcard of <alert>: XML signatures (lax), in their own namespace.
ANY = "##xmldsig"
# fmt: off
PAIR = [("valueName", 1, 1, "string"), ("value", 1, 1, "string")]
SCHEMA: list = [
    ("identifier", 1, 1, "string"),
    ("sender", 1, 1, "string"),
    ("sent", 1, 1, "dateTime"),
    ("status", 1, 1, STATUSES),
    ("msgType", 1, 1, MSG_TYPES),
    ("source", 0, 1, "string"),
    ("scope", 1, 1, SCOPES),
    ("restriction", 0, 1, "string"),
    ("addresses", 0, 1, "string"),
    ("code", 0, None, "string"),
    ("note", 0, 1, "string"),
    ("references", 0, 1, "string"),
    ("incidents", 0, 1, "string"),
    ("info", 0, None, [
        ("language", 0, 1, "language"),
        ("category", 1, None, CATEGORIES),
        ("event", 1, 1, "string"),
        ("responseType", 0, None, RESPONSE_TYPES),
        ("urgency", 1, 1, URGENCIES),
        ("severity", 1, 1, SEVERITIES),
        ("certainty", 1, 1, CERTAINTIES),
        ("audience", 0, 1, "string"),
        ("eventCode", 0, None, PAIR),
        ("effective", 0, 1, "dateTime"),
        ("onset", 0, 1, "dateTime"),
        ("expires", 0, 1, "dateTime"),
        ("senderName", 0, 1, "string"),
        ("headline", 0, 1, "string"),
        ("description", 0, 1, "string"),
        ("instruction", 0, 1, "string"),
        ("web", 0, 1, "anyURI"),
        ("contact", 0, 1, "string"),
        ("parameter", 0, None, PAIR),
        ("resource", 0, None, [
            ("resourceDesc", 1, 1, "string"),
            ("mimeType", 1, 1, "string"),
            ("size", 0, 1, "integer"),
            ("uri", 0, 1, "anyURI"),
            ("derefUri", 0, 1, "string"),
            ("digest", 0, 1, "string"),
        ]),
        ("area", 0, None, [
            ("areaDesc", 1, 1, "string"),
            ("polygon", 0, None, "string"),
            ("circle", 0, None, "string"),
            ("geocode", 0, None, PAIR),
            ("altitude", 0, 1, "decimal"),
            ("ceiling", 0, 1, "decimal"),
        ]),
    ]),
    (ANY, 0, None, ANY),
]
# fmt: on

# The dateTime pattern of the schema (anchored, as XSD patterns are), on top of being a real dateTime.
DATETIME_PATTERN = re.compile(r"\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d")
SIMPLE_PATTERNS = {
    "language": re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "integer": re.compile(r"[+-]?\d+"),
}
# identifier and sender: "MUST NOT include spaces, commas or restricted characters (< and &)" (3.2.1).
TOKEN = re.compile(r"[^\s,<&]+")


class CapError(ValueError):
    """A CAP document or alert that does not follow CAP 1.2; `problems` names each element."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- the dataclasses -------------------------------------------------------------------------------


@dataclass
class Area:
    description: str  # areaDesc
    polygons: list[str] = field(default_factory=list)  # "lat,lon lat,lon …" (WGS 84), first = last
    circles: list[str] = field(default_factory=list)  # "lat,lon radius-km"
    geocodes: list[tuple[str, str]] = field(default_factory=list)  # e.g. ("ISO 3166-1", "KZ")
    altitude: str = ""
    ceiling: str = ""


@dataclass
class Resource:
    description: str  # resourceDesc
    mime_type: str
    size: int | None = None
    uri: str = ""
    deref_uri: str = ""
    digest: str = ""


@dataclass
class Info:
    event: str
    categories: list[str]
    urgency: str
    severity: str
    certainty: str
    language: str = "en-US"
    response_types: list[str] = field(default_factory=list)
    audience: str = ""
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    effective: datetime.datetime | None = None
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    parameters: list[tuple[str, str]] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)


@dataclass
class Alert:
    identifier: str
    sender: str
    sent: datetime.datetime  # with a time zone
    status: str  # Actual, Exercise, System, Test, Draft
    msg_type: str  # Alert, Update, Cancel, Ack, Error
    scope: str  # Public, Restricted (needs `restriction`), Private (needs `addresses`)
    source: str = ""
    restriction: str = ""
    addresses: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    note: str = ""
    references: list[str] = field(default_factory=list)  # "sender,identifier,sent" of earlier messages
    incidents: list[str] = field(default_factory=list)
    infos: list[Info] = field(default_factory=list)


# --- building ----------------------------------------------------------------------------------------


def format_datetime(value: datetime.datetime) -> str:
    """CAP's form: seconds, a numeric offset, and UTC written -00:00 (3.3.2: never "Z")."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise CapError(["a date and time needs a time zone"])
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def _joined(items: list[str]) -> str:
    """CAP's space-separated lists: an item holding a space is written in double quotes."""
    return " ".join(f'"{item}"' if re.search(r"\s", item) else item for item in items)


def _split(text: str) -> list[str]:
    return [quoted or plain for quoted, plain in re.findall(r'"([^"]*)"|(\S+)', text)]


def check_alert(alert: Alert) -> list[str]:
    """What CAP 1.2 requires of an alert beyond the schema's structure (the spec's prose rules)."""
    problems = []
    for name in ("identifier", "sender"):
        if not TOKEN.fullmatch(getattr(alert, name) or ""):
            problems.append(f"{name}: required, without spaces, commas, < or &")
    for name, value, allowed in (
        ("status", alert.status, STATUSES),
        ("msgType", alert.msg_type, MSG_TYPES),
        ("scope", alert.scope, SCOPES),
    ):
        if value not in allowed:
            problems.append(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    if alert.scope == "Restricted" and not alert.restriction.strip():
        problems.append("restriction: required when the scope is Restricted")
    if alert.scope == "Private" and not alert.addresses:
        problems.append("addresses: required when the scope is Private")
    if alert.msg_type in ("Update", "Cancel", "Ack", "Error") and not alert.references:
        problems.append(f"references: an {alert.msg_type} names the message(s) it refers to")
    for number, info in enumerate(alert.infos, start=1):
        where = f"info {number}"
        if not info.event.strip():
            problems.append(f"{where}: event is required")
        if not info.categories:
            problems.append(f"{where}: at least one category")
        for name, values, allowed in (
            ("category", info.categories, CATEGORIES),
            ("responseType", info.response_types, RESPONSE_TYPES),
            ("urgency", [info.urgency], URGENCIES),
            ("severity", [info.severity], SEVERITIES),
            ("certainty", [info.certainty], CERTAINTIES),
        ):
            problems.extend(
                f"{where}: {name} {value!r} is not one of {', '.join(allowed)}"
                for value in values
                if value not in allowed
            )
        for area_number, area in enumerate(info.areas, start=1):
            if not area.description.strip():
                problems.append(f"{where}, area {area_number}: areaDesc is required")
    return problems


def build_cap(alert: Alert) -> bytes:
    """The alert as a CAP 1.2 XML document (UTF-8). Raises CapError naming what is wrong."""
    problems = check_alert(alert)
    if problems:
        raise CapError(problems)
    root = ET.Element(_tag("alert"))

    def add(parent, name, value):
        if value not in (None, "", []):
            ET.SubElement(parent, _tag(name)).text = value
        return parent

    add(root, "identifier", alert.identifier)
    add(root, "sender", alert.sender)
    add(root, "sent", format_datetime(alert.sent))
    add(root, "status", alert.status)
    add(root, "msgType", alert.msg_type)
    add(root, "source", alert.source)
    add(root, "scope", alert.scope)
    add(root, "restriction", alert.restriction)
    add(root, "addresses", _joined(alert.addresses))
    for code in alert.codes:
        add(root, "code", code)
    add(root, "note", alert.note)
    add(root, "references", " ".join(alert.references))
    add(root, "incidents", _joined(alert.incidents))
    for info in alert.infos:
        block = ET.SubElement(root, _tag("info"))
        add(block, "language", info.language)
        for category in info.categories:
            add(block, "category", category)
        add(block, "event", info.event)
        for response in info.response_types:
            add(block, "responseType", response)
        add(block, "urgency", info.urgency)
        add(block, "severity", info.severity)
        add(block, "certainty", info.certainty)
        add(block, "audience", info.audience)
        _pairs(block, "eventCode", info.event_codes)
        for name in ("effective", "onset", "expires"):
            moment = getattr(info, name)
            if moment is not None:
                add(block, name, format_datetime(moment))
        add(block, "senderName", info.sender_name)
        add(block, "headline", info.headline)
        add(block, "description", info.description)
        add(block, "instruction", info.instruction)
        add(block, "web", info.web)
        add(block, "contact", info.contact)
        _pairs(block, "parameter", info.parameters)
        for resource in info.resources:
            item = ET.SubElement(block, _tag("resource"))
            add(item, "resourceDesc", resource.description)
            add(item, "mimeType", resource.mime_type)
            add(item, "size", None if resource.size is None else str(resource.size))
            add(item, "uri", resource.uri)
            add(item, "derefUri", resource.deref_uri)
            add(item, "digest", resource.digest)
        for area in info.areas:
            item = ET.SubElement(block, _tag("area"))
            add(item, "areaDesc", area.description)
            for polygon in area.polygons:
                add(item, "polygon", polygon)
            for circle in area.circles:
                add(item, "circle", circle)
            _pairs(item, "geocode", area.geocodes)
            add(item, "altitude", area.altitude)
            add(item, "ceiling", area.ceiling)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NAMESPACE)
    problems = validate_cap(xml)  # what we send always follows the schema
    if problems:
        raise CapError(problems)
    return xml


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _pairs(parent, name, pairs):
    for value_name, value in pairs:
        item = ET.SubElement(parent, _tag(name))
        ET.SubElement(item, _tag("valueName")).text = value_name
        ET.SubElement(item, _tag("value")).text = value


# --- checking ----------------------------------------------------------------------------------------


def _parse(xml: bytes | str) -> ET.Element:
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    if len(data) > MAX_BYTES:
        raise CapError([f"the document is larger than {MAX_BYTES // 1024} KiB"])
    # First pass: refuse any document type declaration (entity expansion is how XML bombs work, and
    # CAP needs none). expat stops at the declaration, before reading a single entity; checking the
    # bytes instead would miss a declaration in UTF-16.
    parser = expat.ParserCreate()

    def refuse(*args):
        raise CapError(["document type declarations and entities are not accepted"])

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise CapError([f"not well-formed XML: {error}"]) from None
    return ET.fromstring(data)  # noqa: S314 - no DTD, so no entities to expand (checked just above)


def validate_cap(xml: bytes | str) -> list[str]:
    """Every way the document departs from the CAP 1.2 schema ([] when it follows it)."""
    try:
        root = _parse(xml)
    except CapError as error:
        return error.problems
    if root.tag != _tag("alert"):
        return [f"the root element is {root.tag}, not <alert> in the namespace {NAMESPACE}"]
    problems: list[str] = []
    _check_sequence(root, SCHEMA, "alert", problems)
    return problems


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _check_sequence(element: ET.Element, particles: list, path: str, problems: list[str]) -> None:
    if (element.text or "").strip():
        problems.append(f"{path}: text is not allowed between elements")
    if element.attrib:
        problems.append(f"{path}: attributes are not allowed ({', '.join(sorted(element.attrib))})")
    children = list(element)
    index = 0
    for name, minimum, maximum, kind in particles:
        count = 0
        while index < len(children) and (maximum is None or count < maximum):
            namespace, local = _local(children[index].tag)
            if name == ANY:
                matches = namespace == XMLDSIG_NAMESPACE  # processContents="lax": not checked further
            else:
                matches = namespace == NAMESPACE and local == name
            if not matches:
                break
            count += 1
            if name != ANY:
                where = f"{path}/{name}" + (f"[{count}]" if maximum != 1 else "")
                _check_element(children[index], kind, where, problems)
            index += 1
        if count < minimum:
            label = "a signature" if name == ANY else f"<{name}>"
            problems.append(
                f"{path}: {label} is required here" + (f" ({minimum} at least)" if minimum > 1 else "")
            )
    for extra in children[index:]:
        namespace, local = _local(extra.tag)
        shown = local if namespace == NAMESPACE else extra.tag
        problems.append(f"{path}: <{shown}> is not allowed here (unknown, repeated, or out of order)")


def _check_element(element: ET.Element, kind, path: str, problems: list[str]) -> None:
    if isinstance(kind, list):
        _check_sequence(element, kind, path, problems)
        return
    if len(element):
        problems.append(f"{path}: holds elements, but only text is allowed")
        return
    if element.attrib:
        problems.append(f"{path}: attributes are not allowed ({', '.join(sorted(element.attrib))})")
    text = element.text or ""
    if isinstance(kind, tuple):
        if text not in kind:
            problems.append(f"{path}: {text!r} is not one of {', '.join(kind)}")
    elif kind == "dateTime":
        value = text.strip()
        if not DATETIME_PATTERN.fullmatch(value) or _datetime(value) is None:
            problems.append(f"{path}: {text!r} is not a date and time like 2026-03-01T14:30:00+05:00")
    elif kind in SIMPLE_PATTERNS and not SIMPLE_PATTERNS[kind].fullmatch(text.strip()):
        problems.append(f"{path}: {text!r} is not a valid {kind}")


def _datetime(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value)  # the pattern's "," is no valid offset sign
    except ValueError:
        return None


# --- reading -------------------------------------------------------------------------------------------


def parse_cap(xml: bytes | str) -> Alert:
    """Read a CAP 1.2 document into the dataclasses; raises CapError listing every problem.
    Signatures are not kept (and not verified)."""
    problems = validate_cap(xml)
    if problems:
        raise CapError(problems)
    root = _parse(xml)

    def text(parent, name) -> str:
        item = parent.find(_tag(name))
        return (item.text or "") if item is not None else ""

    def texts(parent, name) -> list[str]:
        return [item.text or "" for item in parent.findall(_tag(name))]

    def moment(parent, name) -> datetime.datetime | None:
        value = text(parent, name).strip()
        return _datetime(value) if value else None

    def pairs(parent, name) -> list[tuple[str, str]]:
        return [(text(item, "valueName"), text(item, "value")) for item in parent.findall(_tag(name))]

    infos = []
    for block in root.findall(_tag("info")):
        resources = [
            Resource(
                description=text(item, "resourceDesc"),
                mime_type=text(item, "mimeType"),
                size=int(text(item, "size")) if text(item, "size").strip() else None,
                uri=text(item, "uri"),
                deref_uri=text(item, "derefUri"),
                digest=text(item, "digest"),
            )
            for item in block.findall(_tag("resource"))
        ]
        areas = [
            Area(
                description=text(item, "areaDesc"),
                polygons=texts(item, "polygon"),
                circles=texts(item, "circle"),
                geocodes=pairs(item, "geocode"),
                altitude=text(item, "altitude"),
                ceiling=text(item, "ceiling"),
            )
            for item in block.findall(_tag("area"))
        ]
        infos.append(
            Info(
                language=text(block, "language") or "en-US",  # the schema's default
                categories=texts(block, "category"),
                event=text(block, "event"),
                response_types=texts(block, "responseType"),
                urgency=text(block, "urgency"),
                severity=text(block, "severity"),
                certainty=text(block, "certainty"),
                audience=text(block, "audience"),
                event_codes=pairs(block, "eventCode"),
                effective=moment(block, "effective"),
                onset=moment(block, "onset"),
                expires=moment(block, "expires"),
                sender_name=text(block, "senderName"),
                headline=text(block, "headline"),
                description=text(block, "description"),
                instruction=text(block, "instruction"),
                web=text(block, "web"),
                contact=text(block, "contact"),
                parameters=pairs(block, "parameter"),
                resources=resources,
                areas=areas,
            )
        )
    return Alert(
        identifier=text(root, "identifier"),
        sender=text(root, "sender"),
        sent=moment(root, "sent"),
        status=text(root, "status"),
        msg_type=text(root, "msgType"),
        source=text(root, "source"),
        scope=text(root, "scope"),
        restriction=text(root, "restriction"),
        addresses=_split(text(root, "addresses")),
        codes=texts(root, "code"),
        note=text(root, "note"),
        references=text(root, "references").split(),
        incidents=_split(text(root, "incidents")),
        infos=infos,
    )


# --- the official schema, when it is shipped -------------------------------------------------------------

XSD = "{http://www.w3.org/2001/XMLSchema}"
XSD_TYPES = {
    "xs:string": "string",
    "xs:language": "language",
    "xs:anyURI": "anyURI",
    "xs:decimal": "decimal",
    "xs:integer": "integer",
    "xs:dateTime": "dateTime",
}


def schema_from_xsd(path: str | Path) -> list:
    """Read the official CAP-v1.2.xsd into the form of SCHEMA (the subset of XSD that file uses)."""
    root = ET.parse(path).getroot()  # noqa: S314 - the schema file shipped with the code, not input
    top = {item.get("name"): item for item in root.findall(f"{XSD}element")}

    def particle(item):
        if item.tag == f"{XSD}any":
            return (ANY, int(item.get("minOccurs", "1")), _maximum(item), ANY)
        if item.get("ref"):
            item_ = top[item.get("ref").split(":", 1)[1]]
            return (item_.get("name"), int(item.get("minOccurs", "1")), _maximum(item), kind(item_))
        return (item.get("name"), int(item.get("minOccurs", "1")), _maximum(item), kind(item))

    def kind(item):
        if item.get("type"):
            return XSD_TYPES[item.get("type")]
        sequence = item.find(f"{XSD}complexType/{XSD}sequence")
        if sequence is not None:
            return [particle(child) for child in sequence if child.tag in (f"{XSD}element", f"{XSD}any")]
        restriction = item.find(f"{XSD}simpleType/{XSD}restriction")
        values = tuple(value.get("value") for value in restriction.findall(f"{XSD}enumeration"))
        if values:
            return values
        pattern = restriction.find(f"{XSD}pattern")
        if restriction.get("base") == "xs:dateTime" and pattern is not None:
            if pattern.get("value") != DATETIME_PATTERN.pattern:
                raise ValueError(f"unexpected dateTime pattern {pattern.get('value')!r}")
            return "dateTime"
        raise ValueError(f"unsupported simple type in element {item.get('name')!r}")

    return kind(top["alert"])


def _maximum(item) -> int | None:
    value = item.get("maxOccurs", "1")
    return None if value == "unbounded" else int(value)
