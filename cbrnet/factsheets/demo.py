"""Demo achievements: the three recent achievements of the Central Asia Regional Secretariat's fact
sheet of May 2023, with their source, loaded idempotently (found by region and title; saved only when
a value differs, so a second run writes nothing).

They belong to the reference data: they need the CoE network, its Central Asia region and the
projects P53 and P87 (cbrnet.projects.demo.load_projects), not the fictional population.
"""

import datetime

from cbrnet.factsheets.models import Achievement

CA_FACT_SHEET = "CA Regional Secretariat fact sheet, May 2023 (section “Recent Achievements”)"
YEAR_ONLY = "The source gives the year only: the date is the year's last day."

# (project code, date, title, text, note on the date)
ACHIEVEMENTS = (
    (
        "P53",
        datetime.date(2022, 12, 31),
        "Field training exercises on the mobile laboratory equipment",
        "Throughout 2022, a series of field training exercises on deployment of mobile laboratory equipment (handed "
        "over in July 2021) was delivered by the Bundeswehr Institute of Microbiology (IMB) of Germany to the experts "
        "of the Republican Specialized Scientific and Practical Medical Center for Epidemiology, Microbiology, "
        "Infectious and Parasitic Diseases and of the Research Institute of Virology under the Ministry of Health of "
        "the Republic of Uzbekistan, within CBRN CoE Project 53 “Strengthening the National Legal Framework and "
        "Provision of Specialized Training on Bio-Safety and Bio-Security in Central Asian and South-East and Eastern "
        "European Countries” (implemented by the International Science and Technology Center).",
        YEAR_ONLY,
    ),
    (
        "P87",
        datetime.date(2022, 12, 31),
        "Over 200 experts trained on preparedness and response to mass gatherings",
        "In 2022, over 200 experts from Kazakhstan, Kyrgyzstan, Mongolia, Pakistan, Tajikistan and Uzbekistan were "
        "trained on preparedness and response to mass gatherings during regional capacity-building interventions, "
        "including trainings of trainers on water safety, food safety, chemical poisoning and CCC, within EU CBRN CoE "
        "Project 87 “Preparedness and Response for Mass Gatherings and Other Health Threats in Central Asia (PRECA)”.",
        YEAR_ONLY,
    ),
    (
        "P53",
        datetime.date(2022, 10, 7),
        "Conference “COVID-19 Lessons Learnt”, Tbilisi",
        "The conference “COVID-19 Lessons Learnt”, organised jointly by the Biosafety Association for Central Asia "
        "and the Caucasus, the EU CBRN CoE Initiative and EU CBRN CoE Project 53 in Tbilisi, Georgia, on 3–7 October "
        "2022, discussed the issues met during the COVID-19 pandemic: legislative aspects of biosafety, challenges of "
        "diagnosis and surveillance, biological waste management, communication in public health, sanitary control "
        "and risk management, biosafety and biosecurity education and training.",
        "Dated by the conference's last day.",
    ),
)


def load_achievements(reference, report) -> list[Achievement]:
    """The Central Asia achievements of ACHIEVEMENTS; nothing when the CoE's Central Asia region is missing."""
    from cbrnet.projects.models import Project
    from cbrnet.registry.demo import EU_COE, upsert

    network = reference.networks.get(EU_COE)
    region = reference.regions.get("CA")
    if network is None or region is None:
        return []
    projects = {
        project.code: project
        for project in Project.objects.filter(
            network=network, regions=region, code__in={row[0] for row in ACHIEVEMENTS}
        )
    }
    return [
        upsert(
            Achievement,
            lookup={"region": region, "title": title},
            values={
                "date": date,
                "text": text,
                "project": projects.get(code),
                "source": f"{CA_FACT_SHEET}. {note}",
            },
            report=report,
        )
        for code, date, title, text, note in ACHIEVEMENTS
    ]
