"""The networks' reference data: networks, regions, countries, memberships, secretariats, taxonomy,
languages and the organisations named by the sources.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pycountry

from cbrnet.registry.choices import (
    Confidence,
    MembershipStatus,
    OrganisationKind,
)
from cbrnet.registry.demo.common import (
    ASEAN_CBR,
    ASEAN_REGION,
    EU_COE,
    LANGUAGE_CODES,
    MEMBERSHIP_NOTES,
    MEMBERSHIP_SOURCES,
    NETWORKS,
    SEED_TITLES,
    LoadReport,
    language_name,
    read_csv,
    split_list,
    sync_many,
    upsert,
)
from cbrnet.registry.models import (
    Country,
    Language,
    Membership,
    Network,
    Organisation,
    Region,
    RegionalPriority,
    Secretariat,
    ThematicArea,
)

# --- Reference data ------------------------------------------------------------------------------


@dataclass
class Reference:
    """The reference records the rest of the demo (and `cbrnet generate`) builds on, by natural key."""

    networks: dict[str, Network]
    regions: dict[str, Region]  # region code -> region (CoE codes and "ASEAN" are distinct)
    countries: dict[str, Country]  # iso2 -> country
    thematic_areas: dict[str, ThematicArea]
    languages: dict[str, Language]
    organisations: dict[str, Organisation]  # "name:<name>", "fp:<iso2>", "sec:<region>", "demo:<iso2>:<key>"
    coe_regions: dict[str, str]  # iso2 of each CoE partner country -> its region code

    @classmethod
    def from_database(cls) -> Reference:
        """Read back the reference records a previous load wrote (used by `cbrnet generate`)."""
        networks = {network.code: network for network in Network.objects.filter(code__in=(EU_COE, ASEAN_CBR))}
        regions = {region.code: region for region in Region.objects.filter(network__in=networks.values())}
        coe_regions = dict(
            Membership.objects.current()
            .filter(network=networks[EU_COE])
            .values_list("country__iso2", "region__code")
        )
        return cls(
            networks=networks,
            regions=regions,
            countries={country.iso2: country for country in Country.objects.all()},
            thematic_areas={area.code: area for area in ThematicArea.objects.all()},
            languages={language.code: language for language in Language.objects.all()},
            organisations={},
            coe_regions=coe_regions,
        )


def load_networks(report: LoadReport) -> dict[str, Network]:
    """The EU CBRN CoE and the ASEAN CBR Network."""
    networks = {}
    for definition in NETWORKS:
        values = dict(definition)
        code = values.pop("code")
        networks[code] = upsert(Network, lookup={"code": code}, values=values, report=report)
    return networks


def load_regions(networks: dict[str, Network], report: LoadReport) -> dict[str, Region]:
    """The eight CoE regions (coe_regions.csv) and the single region of the ASEAN network."""
    regions = {}
    for row in read_csv("coe_regions.csv"):
        regions[row["region_code"]] = upsert(
            Region,
            lookup={"network": networks[EU_COE], "code": row["region_code"]},
            values={"name": row["region_name"]},
            report=report,
        )
    regions[ASEAN_REGION] = upsert(
        Region,
        lookup={"network": networks[ASEAN_CBR], "code": ASEAN_REGION},
        values={
            "name": "ASEAN Member States",
            "description": "The ten ASEAN Member States (asean_members.csv).",
        },
        report=report,
    )
    return regions


def load_countries(report: LoadReport) -> dict[str, Country]:
    """Every ISO 3166-1 country from pycountry, so that any country can be referenced."""
    existing = {country.iso2: country for country in Country.objects.all()}
    countries = {}
    for entry in sorted(pycountry.countries, key=lambda entry: entry.alpha_2):
        countries[entry.alpha_2] = upsert(
            Country,
            lookup={"iso2": entry.alpha_2},
            values={
                "iso3": entry.alpha_3,
                "numeric": entry.numeric,
                "name": entry.name,
                "official_name": getattr(entry, "official_name", ""),
            },
            report=report,
            existing=existing.get(entry.alpha_2),
        )
    return countries


def load_memberships(
    networks: dict[str, Network],
    regions: dict[str, Region],
    countries: dict[str, Country],
    report: LoadReport,
) -> dict[str, str]:
    """The 64 CoE partner countries (with region and confidence) and the 10 ASEAN Member States.

    Returns the CoE region code of each partner country.
    """
    coe_regions = {}
    for row in read_csv("coe_partner_countries.csv"):
        iso2, region_code = row["iso2"], row["region_code"]
        coe_regions[iso2] = region_code
        note = MEMBERSHIP_NOTES.get(iso2)
        source = (
            f"coe_partner_countries.csv ({row['confidence']}); sources for region {region_code}: "
            f"{MEMBERSHIP_SOURCES[region_code]}" + (f"; {note}" if note else "")
        )
        upsert(
            Membership,
            lookup={"network": networks[EU_COE], "country": countries[iso2], "until": None},
            values={
                "region": regions[region_code],
                "status": MembershipStatus.PARTNER,
                "confidence": Confidence(row["confidence"]),
                "source": source,
            },
            report=report,
        )
    for row in read_csv("asean_members.csv"):
        upsert(
            Membership,
            lookup={"network": networks[ASEAN_CBR], "country": countries[row["iso2"]], "until": None},
            values={
                "region": regions[ASEAN_REGION],
                "status": MembershipStatus.MEMBER,
                "confidence": Confidence.CONFIRMED,
                "source": f"{SEED_TITLES['asean_about']} (About Members: technical experts from the 10 ASEAN "
                "Member States)",
            },
            report=report,
        )
    return coe_regions


def load_thematic_areas(report: LoadReport) -> dict[str, ThematicArea]:
    """The controlled expertise taxonomy (thematic_areas.csv)."""
    return {
        row["code"]: upsert(
            ThematicArea,
            lookup={"code": row["code"]},
            values={"name": row["name"], "description": row["description"], "order": int(row["order"])},
            report=report,
        )
        for row in read_csv("thematic_areas.csv")
    }


def load_languages(report: LoadReport) -> dict[str, Language]:
    """The working languages of the networks, named by pycountry (ISO 639-1)."""
    existing = {language.code: language for language in Language.objects.filter(code__in=LANGUAGE_CODES)}
    return {
        code: upsert(
            Language,
            lookup={"code": code},
            values={"name": language_name(code)},
            report=report,
            existing=existing.get(code),
        )
        for code in LANGUAGE_CODES
    }


def load_organisations(
    networks: dict[str, Network],
    countries: dict[str, Country],
    coe_regions: dict[str, str],
    report: LoadReport,
) -> dict[str, Organisation]:
    """The organisations named by the sources (organisations.csv) and one focal-point office per partner.

    A focal-point office belongs to the networks of its country (the CoE, and the ASEAN network for
    ASEAN Member States); international bodies belong to a network only where they run it.
    """
    organisations: dict[str, Organisation] = {}
    for row in read_csv("organisations.csv"):
        organisation = upsert(
            Organisation,
            lookup={
                "name": row["name"],
                "country": countries[row["country_iso2"]] if row["country_iso2"] else None,
            },
            values={
                "acronym": row["acronym"],
                "kind": OrganisationKind(row["kind"]),
                "parent": organisations[f"name:{row['parent']}"] if row["parent"] else None,
                "source": row["source"],
            },
            report=report,
        )
        sync_many(organisation, "networks", [networks[code] for code in split_list(row["networks"])], report)
        organisations[f"name:{row['name']}"] = organisation

    asean = {row["iso2"] for row in read_csv("asean_members.csv")}
    names = {row["iso2"]: row["country_name"] for row in read_csv("coe_partner_countries.csv")}
    for iso2 in coe_regions:
        office = upsert(
            Organisation,
            lookup={"name": f"{names[iso2]} National CBRN Focal Point Office", "country": countries[iso2]},
            values={
                "acronym": f"{iso2}-FP",
                "kind": OrganisationKind.FOCAL_POINT,
                "parent": None,
                "source": (
                    "Demo record for the office of the country's CBRN National Focal Point (partner "
                    f"countries appoint one: {SEED_TITLES['ca_factsheet']}, 'Methodology'); "
                    "the office name is ours."
                ),
            },
            report=report,
        )
        office_networks = [networks[EU_COE]] + ([networks[ASEAN_CBR]] if iso2 in asean else [])
        sync_many(office, "networks", office_networks, report)
        organisations[f"fp:{iso2}"] = office
    return organisations


def load_secretariats(
    networks: dict[str, Network],
    regions: dict[str, Region],
    countries: dict[str, Country],
    organisations: dict[str, Organisation],
    report: LoadReport,
) -> None:
    """The eight CoE Regional Secretariats (secretariats.csv), each also an organisation of that kind."""
    for row in read_csv("secretariats.csv"):
        region = regions[row["region_code"]]
        host_country = countries[row["country_iso2"]]
        organisation = upsert(
            Organisation,
            lookup={"name": f"EU CBRN CoE Regional Secretariat for {region.name}", "country": host_country},
            values={
                "acronym": f"{row['region_code']}-SEC",
                "kind": OrganisationKind.SECRETARIAT,
                "parent": None,
                "source": f"The Regional Secretariat in {row['city']} (see its secretariat record); "
                f"{row['source']}",
            },
            report=report,
        )
        sync_many(organisation, "networks", [networks[EU_COE]], report)
        organisations[f"sec:{row['region_code']}"] = organisation
        upsert(
            Secretariat,
            lookup={"region": region},
            values={
                "organisation": organisation,
                "host_country": host_country,
                "city": row["city"],
                "host_institution": row["host_institution"],
                "established": datetime.date.fromisoformat(row["established"])
                if row["established"]
                else None,
                "head_name": row["head_name"],
                "framework": row["framework"],
                "overall_goal": row["overall_goal"],
                "source": row["source"],
            },
            report=report,
        )


def load_regional_priorities(
    regions: dict[str, Region], thematic_areas: dict[str, ThematicArea], report: LoadReport
) -> None:
    """The ten Central Asia regional priorities, in the fact sheet's order, each with its thematic area."""
    for row in read_csv("ca_regional_priorities.csv"):
        upsert(
            RegionalPriority,
            lookup={"region": regions["CA"], "title": row["title"]},
            values={
                "thematic_area": thematic_areas[row["thematic_area_code"]],
                "order": int(row["order"]),
                "source": row["source"],
            },
            report=report,
        )


def load_reference_data(report: LoadReport) -> Reference:
    """Networks, regions, countries, memberships, secretariats, taxonomy, languages, organisations."""
    networks = load_networks(report)
    regions = load_regions(networks, report)
    countries = load_countries(report)
    coe_regions = load_memberships(networks, regions, countries, report)
    thematic_areas = load_thematic_areas(report)
    languages = load_languages(report)
    organisations = load_organisations(networks, countries, coe_regions, report)
    load_secretariats(networks, regions, countries, organisations, report)
    load_regional_priorities(regions, thematic_areas, report)
    reference = Reference(
        networks=networks,
        regions=regions,
        countries=countries,
        thematic_areas=thematic_areas,
        languages=languages,
        organisations=organisations,
        coe_regions=coe_regions,
    )
    from cbrnet.projects.demo import load_projects  # the projects app builds on the registry

    load_projects(reference, report)
    from cbrnet.incidents.demo import load_capabilities  # the incidents app builds on the registry

    load_capabilities(reference, report)
    from cbrnet.factsheets.demo import (
        load_achievements,  # the recent achievements of the regions' fact sheets
    )

    load_achievements(reference, report)
    return reference


