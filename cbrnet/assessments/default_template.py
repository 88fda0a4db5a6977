"""The default questionnaire a secretariat can use on day one: the "CBRN Needs Assessment
Questionnaire (NAQ)", version 2024, built from public frameworks (sources in data/README.md):

* the WHO Joint External Evaluation tool, 3rd edition (2022): one capability-level question per
  indicator (data/jee_technical_areas.csv), with five level descriptors adapted from the JEE scale
  (data/capability_levels.csv) to the indicator;
* the 1540 Committee matrix of UN Security Council resolution 1540 (2004): one yes / partly / no
  question per measure (data/unscr1540_matrix_sections.csv);
* a few questions of the CoE methodology (action plan, national team, gaps, evidence) that use the
  other answer types;

grouped in sections that follow the thematic areas of the registry (the seeds' taxonomy) and the JEE
technical areas. The template is written as a document in the import format and goes through the
same checks as an uploaded one; then it is published.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from django.db import transaction

from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.models import QuestionnaireVersion
from cbrnet.core.audit import audit_actor, current_context
from cbrnet.registry.models import Network, ThematicArea

DATA_DIR = Path(__file__).resolve().parent / "data"
FAMILY, VERSION = "NAQ", "2024"
NAME = "CBRN Needs Assessment Questionnaire (NAQ)"
DESCRIPTION = (
    "The needs assessment a partner country answers with its national CBRN team: its capacities "
    "measured on the WHO Joint External Evaluation scale, its implementation of UN Security Council "
    "resolution 1540, and the state of its national CBRN action plan. The results rank the gaps from "
    "which the National CBRN Action Plan is drafted."
)
SOURCE = (
    "WHO, Joint external evaluation tool: International Health Regulations (2005), third edition (2022), "
    "https://www.who.int/publications/i/item/9789240051980 — technical areas, indicators and the 1–5 "
    "capability scale (level names of WHO; descriptors adapted to each indicator for this questionnaire).\n"
    "UN Security Council resolution 1540 (2004), S/RES/1540, operative paragraphs 1–4, and the approved "
    "matrix of the 1540 Committee — one question per matrix measure.\n"
    "EU CBRN Centres of Excellence: the thematic areas of the network's registry and the needs "
    "assessment methodology (National CBRN Action Plan, national CBRN team).\n"
    "Question texts, guidance and level descriptors are written for this questionnaire."
)


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- JEE indicators ---------------------------------------------------------------------------------

# indicator -> (section, thematic area, CBRN domains, weight, target level, what the capacity is made
# of: a plural noun phrase the level descriptors are built around)
JEE = {
    "P1.1": (
        "LEG",
        "legal-framework",
        "",
        1,
        4,
        "laws, regulations and administrative instruments that let all relevant sectors implement the IHR and respond to chemical, biological and radiological events",
    ),
    "P1.2": (
        "LEG",
        "legal-framework",
        "",
        1,
        3,
        "measures that take gender equity and equality into account in health emergency preparedness and response",
    ),
    "P2.1": (
        "GOV",
        "national-action-plans",
        "",
        1,
        4,
        "domestic public funds for implementing the IHR and national CBRN preparedness",
    ),
    "P2.2": (
        "GOV",
        "national-action-plans",
        "",
        1,
        4,
        "contingency funds and procedures that release money quickly in a public health emergency",
    ),
    "P3.1": (
        "GOV",
        "national-action-plans",
        "",
        1,
        4,
        "functions of the National IHR Focal Point (mandate, resources, contact at all times)",
    ),
    "P3.2": (
        "GOV",
        "national-action-plans",
        "",
        1.5,
        4,
        "multisectoral coordination mechanisms for health security and CBRN risk mitigation, such as the national CBRN team",
    ),
    "P3.3": (
        "GOV",
        "national-action-plans",
        "",
        1.5,
        4,
        "strategic plans for IHR implementation, preparedness and health security, such as the National CBRN Action Plan",
    ),
    "P4.1": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        3,
        "multisectoral (One Health) coordination mechanisms on antimicrobial resistance",
    ),
    "P4.2": (
        "ONE",
        "disease-surveillance",
        "B",
        1,
        3,
        "surveillance systems for antimicrobial resistance in human, animal and environmental samples",
    ),
    "P4.3": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        3,
        "programmes that prevent the emergence and spread of multidrug-resistant organisms",
    ),
    "P4.4": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        3,
        "measures (stewardship, regulation) that ensure the optimal use of antimicrobial medicines in human health",
    ),
    "P4.5": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        3,
        "measures that ensure the optimal use of antimicrobial medicines in animal health and agriculture",
    ),
    "P5.1": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        4,
        "surveillance systems for priority zoonotic diseases, shared by the human and animal health sectors",
    ),
    "P5.2": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        4,
        "joint human and animal health arrangements to respond to zoonotic disease events",
    ),
    "P5.3": (
        "ONE",
        "zoonotic-diseases",
        "B",
        1,
        3,
        "sanitary practices in animal production that reduce the risk of zoonoses",
    ),
    "P6.1": (
        "ONE",
        "food-safety",
        "CBR",
        1,
        4,
        "surveillance systems for foodborne diseases and for biological, chemical and radioactive contamination of food",
    ),
    "P6.2": (
        "ONE",
        "food-safety",
        "CBR",
        1,
        4,
        "plans and mechanisms to respond to and manage food safety emergencies, including the link to the international food safety network (INFOSAN)",
    ),
    "P7.1": (
        "BIO",
        "biosafety-biosecurity",
        "B",
        1.5,
        4,
        "whole-of-government biosafety and biosecurity systems (laws, licensing, inventories of dangerous pathogens and toxins) covering human, animal and agricultural facilities",
    ),
    "P7.2": (
        "BIO",
        "biosafety-biosecurity",
        "B",
        1.5,
        4,
        "biosafety and biosecurity training programmes and practices in all relevant sectors",
    ),
    "P8.1": (
        "MED",
        "emergency-medical-response",
        "B",
        1,
        3,
        "national vaccination programmes that reach high measles vaccine coverage",
    ),
    "P8.2": (
        "MED",
        "emergency-medical-response",
        "B",
        1,
        3,
        "national vaccine access and delivery systems (supply, cold chain, distribution)",
    ),
    "P8.3": (
        "MED",
        "emergency-medical-response",
        "B",
        1,
        3,
        "plans and means for mass vaccination during epidemics of vaccine-preventable diseases",
    ),
    "D1.1": (
        "LAB",
        "laboratory-capacity",
        "B",
        1,
        4,
        "systems for referring and transporting specimens, infectious substances included, to the laboratories that test them",
    ),
    "D1.2": (
        "LAB",
        "laboratory-capacity",
        "B",
        1,
        4,
        "laboratory quality management systems (standards, licensing, external quality assessment)",
    ),
    "D1.3": (
        "LAB",
        "laboratory-capacity",
        "CB",
        1.5,
        4,
        "laboratory testing capacities for the priority diseases and hazards, mobile and field laboratories included",
    ),
    "D1.4": (
        "LAB",
        "laboratory-capacity",
        "B",
        1,
        4,
        "national diagnostic networks that link the laboratories of every level",
    ),
    "D2.1": (
        "SUR",
        "disease-surveillance",
        "B",
        1,
        4,
        "early-warning surveillance functions (indicator- and event-based) for all hazards",
    ),
    "D2.2": (
        "SUR",
        "disease-surveillance",
        "B",
        1,
        4,
        "procedures and teams that verify and investigate signals and events",
    ),
    "D2.3": (
        "SUR",
        "disease-surveillance",
        "B",
        1,
        4,
        "arrangements for analysing surveillance data and sharing the information between sectors and internationally",
    ),
    "D3.1": ("HR", "training-exercises", "", 1, 4, "multisectoral workforce strategies for health security"),
    "D3.2": (
        "HR",
        "training-exercises",
        "",
        1,
        4,
        "human resources that implement the IHR and CBRN preparedness in all relevant sectors",
    ),
    "D3.3": (
        "HR",
        "training-exercises",
        "",
        1,
        4,
        "workforce training programmes, field epidemiology and CBRN response training included",
    ),
    "D3.4": (
        "HR",
        "training-exercises",
        "",
        1,
        4,
        "plans and rosters for surging the workforce during a public health event",
    ),
    "R1.1": (
        "RES",
        "risk-assessment",
        "",
        1,
        4,
        "procedures for assessing emergency risks and readiness for all hazards, CBRN hazards included",
    ),
    "R1.2": (
        "RES",
        "emergency-medical-response",
        "",
        1,
        4,
        "public health emergency operations centres with plans, procedures and trained staff",
    ),
    "R1.3": (
        "RES",
        "emergency-medical-response",
        "",
        1,
        4,
        "arrangements for managing health emergency responses (incident management, plans, exercises)",
    ),
    "R1.4": (
        "RES",
        "emergency-medical-response",
        "",
        1,
        4,
        "procedures for activating, deploying and coordinating health personnel in a public health emergency",
    ),
    "R1.5": (
        "RES",
        "emergency-medical-response",
        "",
        1,
        4,
        "emergency logistics and supply chain arrangements (stockpiles, procurement, distribution)",
    ),
    "R1.6": (
        "RES",
        "emergency-medical-response",
        "",
        1,
        3,
        "arrangements for research, development and innovation during emergencies",
    ),
    "R2.1": (
        "RES",
        "forensics",
        "CBR",
        1.5,
        4,
        "links between public health and security authorities (law enforcement, border control, customs) during a suspected or confirmed biological, chemical or radiological event, joint investigations included",
    ),
    "R3.1": (
        "MED",
        "emergency-medical-response",
        "",
        1,
        4,
        "case management guidelines and capacities for priority hazards, CBRN casualties included",
    ),
    "R3.2": (
        "MED",
        "emergency-medical-response",
        "",
        1,
        3,
        "measures that keep essential health services in use during emergencies",
    ),
    "R3.3": (
        "MED",
        "emergency-medical-response",
        "",
        1,
        4,
        "plans that keep essential health services running during emergencies",
    ),
    "R4.1": (
        "MED",
        "emergency-medical-response",
        "B",
        1,
        4,
        "infection prevention and control programmes at national and facility level",
    ),
    "R4.2": (
        "MED",
        "disease-surveillance",
        "B",
        1,
        4,
        "surveillance systems for health care-associated infections",
    ),
    "R4.3": (
        "MED",
        "waste-management",
        "CB",
        1,
        4,
        "safe environments in health facilities (water, sanitation, hazardous waste management, infrastructure)",
    ),
    "R5.1": (
        "COM",
        "crisis-communication",
        "",
        1,
        4,
        "risk communication and community engagement systems for emergencies",
    ),
    "R5.2": (
        "COM",
        "crisis-communication",
        "",
        1,
        4,
        "risk communication capacities (spokespersons, messages, channels, handling of rumours)",
    ),
    "R5.3": (
        "COM",
        "public-awareness",
        "",
        1,
        4,
        "arrangements that involve communities in preparedness and response",
    ),
    "PoE1": (
        "BOR",
        "border-control",
        "CBR",
        1,
        4,
        "routine core capacities at designated points of entry (airports, ports and ground crossings)",
    ),
    "PoE2": (
        "BOR",
        "border-control",
        "CBR",
        1.5,
        4,
        "public health emergency response capacities at points of entry, detection and referral of CBRN cases included",
    ),
    "PoE3": (
        "BOR",
        "border-control",
        "",
        1,
        4,
        "risk-based procedures for international travel-related measures",
    ),
    "CE1": (
        "CHE",
        "chemical-safety-security",
        "C",
        1.5,
        4,
        "mechanisms for detecting, assessing and responding to chemical events or emergencies",
    ),
    "CE2": (
        "CHE",
        "chemical-safety-security",
        "C",
        1.5,
        4,
        "enabling arrangements (legislation, plans, poison centres, trained staff) for managing chemical events",
    ),
    "RE1": (
        "RAD",
        "nuclear-radiological-security",
        "RN",
        1.5,
        4,
        "mechanisms for detecting, assessing and responding to radiological and nuclear emergencies",
    ),
    "RE2": (
        "RAD",
        "nuclear-radiological-security",
        "RN",
        1.5,
        4,
        "enabling arrangements (legislation, plans, trained staff, equipment) for managing radiological and nuclear emergencies",
    ),
}

# How the descriptions of capability_levels.csv name the capacity; replaced by the indicator's own.
_ATTRIBUTES = re.compile(r"\b(The|Some) attributes( that make up the capacity)?")


def level_descriptors(subject: str) -> list[dict]:
    """The five descriptors of one indicator: the JEE level name, then the scale's description with
    "the attributes" replaced by what the indicator's capacity is made of."""
    descriptors = []
    for row in _rows("capability_levels.csv"):

        def replace(match, subject=subject):
            return f"Some {subject}" if match.group(1) == "Some" else subject[:1].upper() + subject[1:]

        descriptors.append(
            {
                "level": int(row["level"]),
                "text": f"{row['name']}: {_ATTRIBUTES.sub(replace, row['description'])}",
            }
        )
    return descriptors


def _jee_questions() -> dict[str, list[dict]]:
    questions: dict[str, list[dict]] = {}
    for row in _rows("jee_technical_areas.csv"):
        code = row["indicator_code"]
        section, area, domains, weight, target, subject = JEE[code]
        questions.setdefault(section, []).append(
            {
                "code": f"JEE-{code}",
                "text": f"{row['indicator_name']}: which level of capacity does the country have?",
                "guidance": (
                    f"JEE technical area {row['code']} ({row['name']}), indicator {code}. Rate {subject}; "
                    "choose the highest level whose description is fully met and attach the evidence."
                ),
                "answer_type": AnswerType.LEVEL,
                "domains": domains,
                "thematic_area": area,
                "weight": str(weight),
                "target_level": target,
                "reference": f"JEE {code}",
                "level_descriptors": level_descriptors(subject),
            }
        )
    return questions


# --- UNSCR 1540 matrix measures ---------------------------------------------------------------------

# OP1 treaty rows: measure -> (question, domains)
TREATIES = {
    "Treaty on the Non-Proliferation of Nuclear Weapons (NPT)": (
        "Is the State a party to the Treaty on the Non-Proliferation of Nuclear Weapons (NPT)?",
        "N",
    ),
    "Nuclear-weapon-free zone treaty and protocols": (
        "Is the State a party to the nuclear-weapon-free zone treaty of its region (and its protocols), where there is one?",
        "N",
    ),
    "International Convention for the Suppression of Acts of Nuclear Terrorism (ICSANT)": (
        "Is the State a party to the International Convention for the Suppression of Acts of Nuclear Terrorism (ICSANT)?",
        "RN",
    ),
    "Convention on the Physical Protection of Nuclear Material (CPPNM)": (
        "Is the State a party to the Convention on the Physical Protection of Nuclear Material (CPPNM)?",
        "N",
    ),
    "2005 Amendment to the CPPNM": ("Is the State a party to the 2005 Amendment to the CPPNM?", "N"),
    "Comprehensive Nuclear-Test-Ban Treaty (CTBT)": (
        "Is the State a party to the Comprehensive Nuclear-Test-Ban Treaty (CTBT)?",
        "N",
    ),
    "Chemical Weapons Convention (CWC)": (
        "Is the State a party to the Chemical Weapons Convention (CWC)?",
        "C",
    ),
    "Biological Weapons Convention (BWC)": (
        "Is the State a party to the Biological Weapons Convention (BWC)?",
        "B",
    ),
    "1925 Geneva Protocol": ("Is the State a party to the 1925 Geneva Protocol?", "CB"),
    "Other relevant conventions, organizations, codes of conduct and arrangements (remaining rows of the section)": (
        "Does the State take part in the other conventions, organisations, codes of conduct and arrangements of the "
        "1540 matrix (e.g. IAEA membership, OPCW National Authority, Hague Code of Conduct)?",
        "CBRN",
    ),
}
TREATY_GUIDANCE = "Yes: a party (ratified or acceded); partly: signed, not yet ratified; no: not signed."

OP2_VERBS = {
    "Prohibit manufacture/production": "manufacturing or producing",
    "Prohibit acquisition": "acquiring",
    "Prohibit possession": "possessing",
    "Prohibit development": "developing",
    "Prohibit transport": "transporting",
    "Prohibit transfer": "transferring",
    "Prohibit use": "using",
    "Prohibit attempts to engage in the above": "attempting to manufacture, acquire, possess, develop, transport, transfer or use",
    "Prohibit participation as an accomplice": "participating as an accomplice in manufacturing, acquiring, possessing, developing, transporting, transferring or using",
    "Prohibit assisting the above": "assisting in manufacturing, acquiring, possessing, developing, transporting, transferring or using",
    "Prohibit financing the above": "financing the manufacture, acquisition, possession, development, transport, transfer or use of",
}
OP2_OTHER = {
    "Prohibitions extended to means of delivery": "Do these prohibitions extend to the means of delivery of nuclear, chemical and biological weapons?",
    "Enforcement: penalties (civil/criminal) applied under the national legal framework": "Are civil or criminal penalties for violations of these prohibitions laid down and applied?",
}
OP3_QUESTIONS = {
    "Measures to account for items in production": "Are there measures to account for nuclear, chemical and biological weapons-related materials in production?",
    "Measures to account for items in use": "Are there measures to account for such materials in use?",
    "Measures to account for items in storage": "Are there measures to account for such materials in storage?",
    "Measures to account for items in transport": "Are there measures to account for such materials in transport?",
    "Measures to secure items in production": "Are there measures to secure such materials in production?",
    "Measures to secure items in use": "Are there measures to secure such materials in use?",
    "Measures to secure items in storage": "Are there measures to secure such materials in storage?",
    "Measures to secure items in transport": "Are there measures to secure such materials in transport?",
    "Effective physical protection measures for facilities, materials and transports": "Are effective physical protection measures in place for the facilities, materials and transports concerned?",
    "Border controls to detect, deter, prevent and combat illicit trafficking": "Do border controls detect, deter, prevent and combat the illicit trafficking of such materials?",
    "Law enforcement efforts against illicit trafficking": "Do law enforcement authorities act against illicit trafficking in such materials?",
    "Law enforcement efforts against illicit brokering": "Do law enforcement authorities act against illicit brokering in such materials?",
    "Laws and regulations controlling export": "Do laws and regulations control the export of such materials?",
    "Controls on transit": "Are there controls on their transit?",
    "Controls on trans-shipment": "Are there controls on their trans-shipment?",
    "Controls on re-export": "Are there controls on their re-export?",
    "Controls on providing funds related to export and trans-shipment (financing)": "Are there controls on providing funds related to their export and trans-shipment?",
    "Controls on providing services related to export and trans-shipment (e.g. transport)": "Are there controls on providing services (such as transport) related to their export and trans-shipment?",
    "End-user controls": "Are there end-user controls?",
    "Criminal or civil penalties for violations of export control laws and regulations": "Are there criminal or civil penalties for violations of export control laws and regulations?",
}
# matrix section -> (questionnaire section, thematic area); some measures go to another area (below)
OP_PLACES = {
    "OP1": ("INT", "unscr-1540"),
    "OP2": ("LEG", "legal-framework"),
    "OP3a": ("SEC", "unscr-1540"),
    "OP3b": ("SEC", "nuclear-radiological-security"),
    "OP3c": ("BOR", "illicit-trafficking"),
    "OP3d": ("EXP", "export-control"),
}
MEASURE_AREAS = {
    "Border controls to detect, deter, prevent and combat illicit trafficking": "border-control",
    "Controls on providing funds related to export and trans-shipment (financing)": "dual-use-trade-control",
    "Controls on providing services related to export and trans-shipment (e.g. transport)": "dual-use-trade-control",
}
YPN_GUIDANCE = (
    "1540 Committee matrix, {section}: {measure}. Yes: in place for nuclear, chemical and biological "
    "weapons and related materials, and enforced; partly: only for some of them, or not enforced; no: not in place."
)


def _resolution_questions() -> dict[str, list[dict]]:
    questions: dict[str, list[dict]] = {}
    numbers: dict[str, int] = {}
    for row in _rows("unscr1540_matrix_sections.csv"):
        section_code, measure = row["section_code"], row["measure"]
        numbers[section_code] = numbers.get(section_code, 0) + 1
        section, area = OP_PLACES[section_code]
        weight, domains, guidance = "1", "CBN", YPN_GUIDANCE.format(section=section_code, measure=measure)
        if section_code == "OP1":
            text, domains = TREATIES[measure]
            weight, guidance = "0.5", f"1540 Committee matrix, OP1: {measure}. {TREATY_GUIDANCE}"
        elif measure in OP2_VERBS:
            text = (
                f"Does national law prohibit non-State actors from {OP2_VERBS[measure]} nuclear, chemical or "
                "biological weapons?"
            )
        elif measure in OP2_OTHER:
            text = OP2_OTHER[measure]
        else:
            text = OP3_QUESTIONS[measure]
        questions.setdefault(section, []).append(
            {
                "code": f"1540-{section_code}-{numbers[section_code]:02d}",
                "text": text,
                "guidance": guidance,
                "answer_type": AnswerType.YES_PARTLY_NO,
                "domains": domains,
                "thematic_area": MEASURE_AREAS.get(measure, area),
                "weight": weight,
                "target_level": 5,
                "reference": f"UNSCR 1540 {section_code}",
            }
        )
    return questions


# --- questions of the CoE methodology (the other answer types) --------------------------------------


def _choices(*pairs: tuple[str, str]) -> list[dict]:
    return [
        {"order": index, "value": value, "label": label}
        for index, (value, label) in enumerate(pairs, start=1)
    ]


METHODOLOGY = {
    "GOV": [
        {
            "code": "NAQ-GOV-01",
            "answer_type": AnswerType.SINGLE_CHOICE,
            "thematic_area": "national-action-plans",
            "text": "What is the status of the country's National CBRN Action Plan?",
            "guidance": "The plan that the national CBRN team drafts from this assessment (or the national strategy that serves as one).",
            "reference": "EU CBRN CoE methodology",
            "choices": _choices(
                ("none", "No plan"),
                ("preparing", "In preparation"),
                ("drafted", "Drafted, not yet adopted"),
                ("adopted", "Adopted"),
                ("implementing", "Adopted and being implemented"),
            ),
        },
        {
            "code": "NAQ-GOV-02",
            "answer_type": AnswerType.DATE,
            "thematic_area": "national-action-plans",
            "text": "On which date was the National CBRN Action Plan (or the strategy that serves as one) last adopted or updated?",
            "reference": "EU CBRN CoE methodology",
            "required": False,
        },
        {
            "code": "NAQ-GOV-03",
            "answer_type": AnswerType.MULTIPLE_CHOICE,
            "thematic_area": "national-action-plans",
            "text": "Which institutions take part in the national CBRN team?",
            "reference": "JEE P3.2",
            "choices": _choices(
                ("health", "Health"),
                ("agriculture", "Agriculture and animal health"),
                ("environment", "Environment"),
                ("interior", "Interior and police"),
                ("civil-protection", "Civil protection and emergency services"),
                ("defence", "Defence"),
                ("customs", "Customs and border guards"),
                ("regulator", "Nuclear and radiation regulator"),
                ("foreign-affairs", "Foreign affairs"),
                ("justice", "Justice"),
                ("other", "Other"),
            ),
        },
        {
            "code": "NAQ-GOV-04",
            "answer_type": AnswerType.MULTIPLE_CHOICE,
            "thematic_area": "risk-assessment",
            "domains": "CBRNE",
            "text": "Which hazards do the national emergency plans cover?",
            "reference": "JEE R1.1",
            "choices": _choices(
                ("C", "Chemical"),
                ("B", "Biological"),
                ("R", "Radiological"),
                ("N", "Nuclear"),
                ("E", "Explosive"),
            ),
        },
        {
            "code": "NAQ-GOV-05",
            "answer_type": AnswerType.TEXT,
            "thematic_area": "risk-assessment",
            "domains": "CBRNE",
            "text": "Which CBRN risks and capability gaps does the national team consider most urgent, and why?",
            "guidance": "A few sentences per risk; the answers help rank the gaps for the National CBRN Action Plan.",
            "reference": "EU CBRN CoE methodology",
            "allow_not_applicable": False,
        },
        {
            "code": "NAQ-GOV-06",
            "answer_type": AnswerType.EVIDENCE,
            "thematic_area": "national-action-plans",
            "text": "Attach the National CBRN Action Plan or strategy and the decision that set up the national CBRN team.",
            "reference": "EU CBRN CoE methodology",
            "required": False,
        },
    ],
    "LEG": [
        {
            "code": "NAQ-LEG-01",
            "answer_type": AnswerType.EVIDENCE,
            "thematic_area": "legal-framework",
            "domains": "CBRN",
            "text": "Attach the main laws and regulations on chemical, biological, radiological and nuclear matters.",
            "reference": "UNSCR 1540 OP2",
            "required": False,
        },
    ],
    "INT": [
        {
            "code": "NAQ-INT-01",
            "answer_type": AnswerType.DATE,
            "thematic_area": "unscr-1540",
            "domains": "CBN",
            "text": "When did the State last submit its national report, or additional information, to the 1540 Committee?",
            "reference": "UNSCR 1540 OP4",
            "required": False,
        },
    ],
    "EXP": [
        {
            "code": "NAQ-EXP-01",
            "answer_type": AnswerType.NUMBER,
            "thematic_area": "dual-use-trade-control",
            "domains": "CBRN",
            "text": "How many licence applications for exports of dual-use goods were decided in the last full year?",
            "reference": "UNSCR 1540 OP3d",
            "required": False,
        },
    ],
    "BIO": [
        {
            "code": "NAQ-BIO-01",
            "answer_type": AnswerType.NUMBER,
            "thematic_area": "biosafety-biosecurity",
            "domains": "B",
            "text": "How many laboratories hold or work with high-consequence pathogens or toxins (biosafety level 3 or 4)?",
            "reference": "JEE P7.1",
        },
    ],
    "HR": [
        {
            "code": "NAQ-HR-01",
            "answer_type": AnswerType.NUMBER,
            "thematic_area": "training-exercises",
            "domains": "CBRNE",
            "text": "How many CBRN table-top or field exercises involving more than one agency were held in the last three years?",
            "reference": "JEE D3.3",
        },
    ],
    "CHE": [
        {
            "code": "NAQ-CHE-01",
            "answer_type": AnswerType.SINGLE_CHOICE,
            "thematic_area": "chemical-safety-security",
            "domains": "C",
            "text": "Is there a poison centre that answers at all times?",
            "reference": "JEE CE2",
            "choices": _choices(
                ("national", "Yes, a national service"), ("regional", "Only in some regions"), ("none", "No")
            ),
        },
    ],
    "COM": [
        {
            "code": "NAQ-COM-01",
            "answer_type": AnswerType.MULTIPLE_CHOICE,
            "thematic_area": "crisis-communication",
            "text": "Which channels can the authorities use to warn the public in a CBRN emergency?",
            "reference": "JEE R5.2",
            "choices": _choices(
                ("broadcast", "Television and radio"),
                ("cell-broadcast", "Cell broadcast or text messages"),
                ("sirens", "Sirens"),
                ("social-media", "Social media"),
                ("website", "Official websites"),
                ("community", "Community networks and leaders"),
            ),
        },
    ],
}

# (code, title, description) in order; JEE technical areas and 1540 sections named in each
SECTIONS = [
    (
        "GOV",
        "National coordination, planning and financing",
        "The national CBRN team, the National CBRN Action Plan, the IHR focal point and the money behind them (JEE P2, P3).",
    ),
    (
        "LEG",
        "Legal framework",
        "CBRN laws and regulations and the prohibitions UNSCR 1540 asks for (JEE P1; 1540 OP2).",
    ),
    (
        "INT",
        "International instruments",
        "Treaties, conventions and arrangements of the 1540 matrix, and reporting to the 1540 Committee (1540 OP1, OP4).",
    ),
    (
        "SEC",
        "Accounting for, securing and protecting materials",
        "Accounting, security and physical protection of nuclear, chemical and biological weapons-related materials (1540 OP3a, OP3b).",
    ),
    (
        "BOR",
        "Border control, points of entry and illicit trafficking",
        "Border controls, law enforcement against trafficking and brokering, and health capacities at points of entry (1540 OP3c; JEE PoE).",
    ),
    (
        "EXP",
        "Export and trade control",
        "Export, transit, trans-shipment and re-export controls of related materials and dual-use goods (1540 OP3d).",
    ),
    (
        "BIO",
        "Biosafety and biosecurity",
        "Biosafety and biosecurity systems, training and practice (JEE P7).",
    ),
    (
        "ONE",
        "Zoonotic diseases, antimicrobial resistance and food safety",
        "One Health work between the human and animal health and food sectors (JEE P4, P5, P6).",
    ),
    ("LAB", "Laboratories", "The national laboratory system (JEE D1)."),
    ("SUR", "Surveillance", "Early warning, verification and sharing of surveillance information (JEE D2)."),
    ("HR", "Workforce, training and exercises", "Human resources, training and surge capacity (JEE D3)."),
    ("CHE", "Chemical events", "Detection of and response to chemical events (JEE CE)."),
    (
        "RAD",
        "Radiation emergencies",
        "Detection of and response to radiological and nuclear emergencies (JEE RE).",
    ),
    (
        "RES",
        "Emergency preparedness and response",
        "Health emergency management and the link between public health and security authorities (JEE R1, R2).",
    ),
    (
        "MED",
        "Health services, infection prevention and immunization",
        "Case management, continuity of health services, infection prevention and control, vaccination (JEE R3, R4, P8).",
    ),
    ("COM", "Risk communication and community engagement", "Warning and informing the public (JEE R5)."),
]


def default_document() -> dict:
    """The default questionnaire as a template document (the JSON import format)."""
    jee, resolution = _jee_questions(), _resolution_questions()
    sections = []
    for order, (code, title, description) in enumerate(SECTIONS, start=1):
        questions = [*resolution.get(code, []), *jee.get(code, []), *METHODOLOGY.get(code, [])]
        for index, question in enumerate(questions, start=1):
            question["order"] = index
        sections.append(
            {"code": code, "order": order, "title": title, "description": description, "questions": questions}
        )
    return {
        "format": "cbrnet-questionnaire",
        "format_version": 1,
        "version": {
            "family": FAMILY,
            "version": VERSION,
            "name": NAME,
            "description": DESCRIPTION,
            "source": SOURCE,
            "previous": None,
        },
        "sections": sections,
    }


def load_default_questionnaire(network: Network, report=None) -> QuestionnaireVersion:
    """Build and publish the default questionnaire in `network`, audited as the system; return it.

    Idempotent: when the network already has NAQ 2024 published (or retired), it is returned as it
    is and nothing is written. Needs the registry's thematic areas (the demo's reference data)."""
    from cbrnet.assessments.services.questionnaires import build_template, parse_document, publish_as_system

    existing = QuestionnaireVersion.objects.filter(network=network, family=FAMILY, version=VERSION).first()
    if existing is not None and existing.status != VersionStatus.DRAFT:
        if report is not None:
            report.count(report.unchanged, QuestionnaireVersion)
        return existing
    needed = {
        question["thematic_area"]
        for section in default_document()["sections"]
        for question in section["questions"]
    }
    missing = sorted(
        needed - set(ThematicArea.objects.filter(code__in=needed).values_list("code", flat=True))
    )
    if missing:
        raise LookupError(f"Load the registry's thematic areas first (missing: {', '.join(missing)}).")
    outer = current_context()
    with (
        audit_actor(None, source=outer.source if outer.source != "system" else "command"),
        transaction.atomic(),
    ):
        if existing is not None:
            # A draft of the default version (left by an interrupted load or made by hand): the
            # default content replaces it.
            existing.delete()
        version = build_template(network=network, parsed=parse_document(default_document()))
        version = publish_as_system(version=version)
    if report is not None:
        report.count(report.created, QuestionnaireVersion)
    return version
