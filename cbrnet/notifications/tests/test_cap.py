"""CAP 1.2: generated alerts follow the schema and read back unchanged; bad documents are named."""

import datetime
from pathlib import Path

import pytest

from cbrnet.notifications import cap

SCHEMA_FILE = Path(cap.__file__).parent / "schema" / "CAP-v1.2.xsd"
ASTANA = datetime.timezone(datetime.timedelta(hours=5))


def full_alert(**changes) -> cap.Alert:
    alert = cap.Alert(
        identifier="cbrnet.example.org.signal.42",
        sender="noreply@cbrnet.example.org",
        sent=datetime.datetime(2026, 3, 1, 14, 30, tzinfo=ASTANA),
        status="Exercise",
        msg_type="Update",
        scope="Restricted",
        restriction="National Focal Points of Central Asia",
        source="cbrnet outbreak detection",
        codes=["cbrnet-1.0"],
        note="Exercise SAFE STEPPE",
        references=["noreply@cbrnet.example.org,cbrnet.example.org.signal.41,2026-03-01T09:00:00+05:00"],
        incidents=["anthrax 2026", "KZ-12"],
        infos=[
            cap.Info(
                language="en-US",
                categories=["Health", "CBRNE"],
                event="Anthrax cluster",
                response_types=["Monitor", "Assess"],
                urgency="Expected",
                severity="Severe",
                certainty="Likely",
                audience="Veterinary and public health services",
                event_codes=[("cbrnet-disease", "anthrax")],
                effective=datetime.datetime(2026, 3, 1, 14, 30, tzinfo=ASTANA),
                expires=datetime.datetime(2026, 3, 15, 0, 0, tzinfo=datetime.UTC),
                sender_name="cbrnet — EU CBRN CoE",
                headline="Anthrax signal in Kazakhstan",
                description="Three cases above the expected count in week 12 <& friends>.",
                instruction="Check the line list and report back within 48 hours.",
                web="https://cbrnet.example.org/surveillance/signals/42/",
                contact="Central Asia secretariat, +998 71 000 0000",
                parameters=[("cases", "3"), ("expected", "0.4")],
                resources=[
                    cap.Resource(
                        description="Line list",
                        mime_type="text/csv",
                        size=1200,
                        uri="https://cbrnet.example.org/files/42.csv",
                    )
                ],
                areas=[
                    cap.Area(
                        description="Kazakhstan, Turkistan region",
                        polygons=["42.0,68.0 43.0,68.0 43.0,70.0 42.0,68.0"],
                        circles=["42.3,69.6 25"],
                        geocodes=[("ISO 3166-1", "KZ"), ("ISO 3166-2", "KZ-YUZ")],
                        altitude="100.5",
                    )
                ],
            ),
            cap.Info(
                categories=["Health"],
                event="Сибирская язва",
                urgency="Unknown",
                severity="Unknown",
                certainty="Unknown",
                language="ru",
            ),
        ],
    )
    for name, value in changes.items():
        setattr(alert, name, value)
    return alert


def test_a_generated_alert_follows_the_schema_and_reads_back_unchanged():
    alert = full_alert()
    xml = cap.build_cap(alert)
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">' in xml
    assert cap.validate_cap(xml) == []
    assert cap.parse_cap(xml) == alert
    assert cap.parse_cap(xml.decode()) == alert


def test_dates_carry_an_offset_and_utc_is_written_minus_zero():
    xml = cap.build_cap(full_alert(sent=datetime.datetime(2026, 3, 1, 9, 30, 15, 999, tzinfo=datetime.UTC)))
    assert b"<sent>2026-03-01T09:30:15-00:00</sent>" in xml
    assert b"<effective>2026-03-01T14:30:00+05:00</effective>" in xml
    with pytest.raises(cap.CapError):
        cap.build_cap(full_alert(sent=datetime.datetime(2026, 3, 1, 9, 30)))  # no time zone


def test_lists_with_spaces_are_quoted_and_split_back():
    xml = cap.build_cap(full_alert(scope="Private", addresses=["nfp-kz", "Central Asia desk"]))
    assert b'<addresses>nfp-kz "Central Asia desk"</addresses>' in xml
    assert b'<incidents>"anthrax 2026" KZ-12</incidents>' in xml
    assert cap.parse_cap(xml).addresses == ["nfp-kz", "Central Asia desk"]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"scope": "Restricted", "restriction": ""}, "restriction"),
        ({"scope": "Private", "addresses": []}, "addresses"),
        ({"msg_type": "Cancel", "references": []}, "references"),
        ({"status": "Rumour"}, "status"),
        ({"identifier": "has space"}, "identifier"),
        ({"sender": "a,b"}, "sender"),
    ],
)
def test_an_alert_cap_does_not_allow_is_refused_naming_the_element(changes, named):
    with pytest.raises(cap.CapError) as error:
        cap.build_cap(full_alert(**changes))
    assert any(problem.startswith(named) for problem in error.value.problems), error.value.problems


def test_a_bad_info_block_is_named():
    alert = full_alert()
    alert.infos[0].categories = ["Health", "Weather"]
    alert.infos[0].urgency = "Soon"
    with pytest.raises(cap.CapError) as error:
        cap.build_cap(alert)
    assert error.value.problems == [
        "info 1: category 'Weather' is not one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, "
        "Transport, Infra, CBRNE, Other",
        "info 1: urgency 'Soon' is not one of Immediate, Expected, Future, Past, Unknown",
    ]


HEAD = '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier><sender>s</sender>'
MINIMAL = (
    HEAD
    + "<sent>2026-03-01T09:30:00-00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope></alert>"
)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (MINIMAL.replace("<status>Actual</status>", ""), "alert: <status> is required here"),
        (MINIMAL.replace("Actual", "Real"), "alert/status: 'Real' is not one of"),
        (MINIMAL.replace("Actual", " Actual"), "alert/status: ' Actual' is not one of"),
        (MINIMAL.replace("09:30:00-00:00", "09:30:00Z"), "alert/sent: '2026-03-01T09:30:00Z' is not a date"),
        (MINIMAL.replace("09:30:00-00:00", "09:30:00,05:00"), "alert/sent:"),
        (MINIMAL.replace("2026-03-01", "2026-02-30"), "alert/sent:"),
        (
            MINIMAL.replace("<scope>Public</scope>", "<scope>Public</scope><scope>Public</scope>"),
            "<scope> is not allowed here",
        ),
        (
            MINIMAL.replace(
                "<status>Actual</status><msgType>Alert</msgType>",
                "<msgType>Alert</msgType><status>Actual</status>",
            ),
            "<status> is not allowed here (unknown, repeated, or out of order)",
        ),
        (MINIMAL.replace("</alert>", "<colour>red</colour></alert>"), "<colour> is not allowed here"),
        (
            MINIMAL.replace("</alert>", "<info><event>e</event></info></alert>"),
            "alert/info[1]: <category> is required here",
        ),
        (
            MINIMAL.replace(
                "</alert>",
                "<info><category>Health</category><event>e</event><urgency>Past</urgency>"
                "<severity>Minor</severity><certainty>Likely</certainty><area><altitude>high</altitude>"
                "</area></info></alert>",
            ),
            "alert/info[1]/area[1]: <areaDesc> is required here",
        ),
        (
            MINIMAL.replace("<identifier>x</identifier>", "<identifier>x<b>y</b></identifier>"),
            "alert/identifier: holds elements",
        ),
        (
            MINIMAL.replace("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1"),
            "not <alert> in the namespace",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "aaaa">]>' + MINIMAL.replace(">x<", ">&a;<"),
            "document type declarations",
        ),
        (MINIMAL[:-3], "not well-formed XML"),
    ],
)
def test_a_document_outside_the_schema_is_refused_naming_the_element(document, problem):
    assert cap.validate_cap(MINIMAL) == []
    problems = cap.validate_cap(document)
    assert any(problem in text for text in problems), problems
    with pytest.raises(cap.CapError):
        cap.parse_cap(document)


def test_a_signature_at_the_end_is_allowed_and_not_kept():
    signed = MINIMAL.replace(
        "</alert>", '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature></alert>'
    )
    assert cap.validate_cap(signed) == []
    assert cap.parse_cap(signed).identifier == "x"


def test_the_rule_table_is_the_official_schema():
    """SCHEMA, read by the validator, is the structure of OASIS's CAP-v1.2.xsd (schema/README.md)."""
    if not SCHEMA_FILE.exists():
        pytest.skip("the official CAP-v1.2.xsd is not in cbrnet/notifications/schema/ (see schema/README.md)")
    assert cap.schema_from_xsd(SCHEMA_FILE) == cap.SCHEMA


def test_generated_alerts_validate_against_the_official_schema_with_lxml():
    if not SCHEMA_FILE.exists():
        pytest.skip("the official CAP-v1.2.xsd is not in cbrnet/notifications/schema/ (see schema/README.md)")
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))
    for alert in (full_alert(), full_alert(scope="Public", restriction="", infos=[])):
        document = etree.fromstring(cap.build_cap(alert))
        assert schema.validate(document), schema.error_log
    assert not schema.validate(etree.fromstring(MINIMAL.replace("Actual", "Real").encode()))
