"""Demo challenges in business & strategy and in social impact."""

from __future__ import annotations

from openchance.challenges.demo_data.model import (
    DemoCancellation,
    DemoChallenge,
    days,
    fixed,
    md,
    milestones,
    minutes,
    ranged,
    step,
)
from openchance.models.challenges import (
    CancelReason,
    ChallengeStatus,
    Difficulty,
    IPTerms,
    Visibility,
)

BUSINESS = "business-strategy"
IMPACT = "social-impact"

ORGANISATION_CHALLENGES: tuple[DemoChallenge, ...] = (
    DemoChallenge(
        owner="challenger",
        title="Go-to-market plan for a refurbished laptop service in Lisbon",
        summary=(
            "A spin-off refurbishes lab laptops for students. Who buys, at what price, and "
            "through which channels? A plan for the first twelve months."
        ),
        description=md("""
            Every year our institutes retire about 1,500 laptops. A small spin-off wants to
            refurbish them and sell them to students with a two-year warranty.

            **The plan should cover**

            - Customer segments and what each will pay (interviews with at least 15 students)
            - Channels: university partnerships, online, pop-up stalls
            - Unit economics and a break-even estimate
            - A launch calendar for the academic year

            Portuguese speakers have an advantage for the interviews.
        """),
        category=BUSINESS,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("go-to-market", "market-research", "unit-economics", "customer-interviews"),
        reward=fixed("EUR", 160_000),
        deadline_in=days(26),
        posted_ago=days(2),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Pricing model for pay-as-you-go solar in rural Kenya",
        summary=(
            "Design daily, weekly and rent-to-own tariffs for solar home systems that "
            "households can afford through the dry season and that keep us solvent."
        ),
        description=md("""
            Our customers pay by M-Pesa. Repayment rates drop sharply between harvests.

            - Analyse 30 months of payment data (18,000 customers)
            - Propose tariff structures, including seasonal flexibility
            - Model the effect on default rates and cash flow

            Experience with PAYG solar or microfinance data is expected.
        """),
        category=BUSINESS,
        difficulty=Difficulty.ADVANCED,
        skills=("pricing-strategy", "financial-modelling", "microfinance", "data-analysis"),
        reward=ranged("USD", 350_000, 600_000),
        deadline_in=days(34),
        posted_ago=days(5),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger",
        title="Financial model for a materials-testing spin-off",
        summary=(
            "A five-year financial model for spinning out our materials-testing lab, ready "
            "for a seed investor's due diligence."
        ),
        description=md("""
            Our testing lab already serves 40 external clients. The board is considering a
            spin-off.

            - Revenue model by service line, capacity constraints and hiring plan
            - Three scenarios with sensitivity on utilisation and pricing
            - Investor-ready summary in ten slides
        """),
        category=BUSINESS,
        difficulty=Difficulty.ADVANCED,
        skills=("financial-modelling", "excel", "startups", "due-diligence"),
        reward=milestones(
            "EUR",
            step("Assumptions book", "Agreed assumptions and model structure.", 150_000, 10),
            step("Model and deck", "Full model, scenarios and the ten slides.", 250_000, 25),
        ),
        deadline_in=days(30),
        posted_ago=days(32),
        status=ChallengeStatus.IN_REVIEW,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger",
        title="Competitor landscape of European battery recyclers",
        summary=(
            "Map the 25 largest battery recyclers in Europe: capacity, chemistry, process and "
            "who they sell black mass to."
        ),
        description=md("""
            We are deciding whether to partner with or compete against battery recyclers.

            - A table of recyclers with capacity, location, chemistries and process type
            - Announced expansions through 2028
            - A two-page summary of where the market has gaps

            Public sources only; cite them.
        """),
        category=BUSINESS,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("market-research", "competitive-analysis", "batteries", "recycling"),
        reward=fixed("GBP", 140_000),
        deadline_in=days(19),
        posted_ago=days(1),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger",
        title="Partnership strategy with Japanese electronics distributors",
        summary=(
            "Which Japanese distributors should carry our lab instruments, and how do we "
            "approach them? A shortlist and an outreach plan."
        ),
        description=md("""
            We have one distributor in Osaka and want national coverage.

            - A shortlist of eight distributors with their strengths and conflicts
            - An approach plan respecting Japanese business practice
            - Introductions where the solver has existing relationships

            Private: invited solvers with experience in the Japanese market.
        """),
        category=BUSINESS,
        difficulty=Difficulty.EXPERT,
        skills=("business-development", "japan", "distribution", "partnerships"),
        reward=fixed("JPY", 900_000),
        deadline_in=days(45),
        posted_ago=days(3),
        visibility=Visibility.PRIVATE,
        invitees=("solver2",),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Board-ready impact report template",
        summary=(
            "A reusable quarterly impact report template our programme managers can fill in "
            "in an afternoon."
        ),
        description=md("""
            - Eight pages: headline numbers, stories, finances, risks
            - Built in Google Slides with linked charts from Sheets
            - A one-page guide for the programme managers
        """),
        category=BUSINESS,
        difficulty=Difficulty.BEGINNER,
        skills=("reporting", "google-slides", "impact-measurement"),
        reward=fixed("USD", 70_000),
        deadline_in=days(6),
        posted_ago=days(21),
        status=ChallengeStatus.IN_REVIEW,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Compile household phone numbers for a sales campaign",
        summary="Collect names and phone numbers of 5,000 households near our new mini-grid.",
        description=md("""
            - Names, phone numbers and plot numbers of households within 2 km
            - From any source available
        """),
        category=BUSINESS,
        difficulty=Difficulty.BEGINNER,
        skills=("lead-generation", "data-collection"),
        reward=fixed("USD", 50_000),
        deadline_in=days(14),
        posted_ago=days(11),
        status=ChallengeStatus.CANCELLED,
        cancellation=DemoCancellation(
            CancelReason.POLICY_VIOLATION,
            "Collecting personal data without the people's consent is against the marketplace "
            "rules. A consent-based door-to-door survey would be welcome as a new challenge.",
            by="moderator",
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Customer interviews: why small labs don't share equipment",
        summary=(
            "Twenty interviews with lab managers about sharing expensive instruments, and what "
            "would make them do it."
        ),
        description=md("""
            - Twenty 45-minute interviews with managers of labs under 15 people
            - A synthesis of jobs-to-be-done and objections
            - Anonymised transcripts
        """),
        category=BUSINESS,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("customer-interviews", "user-research", "synthesis"),
        reward=fixed("EUR", 120_000),
        deadline_in=days(-6),
        posted_ago=days(36),
        status=ChallengeStatus.EXPIRED,
    ),
    DemoChallenge(
        owner="challenger",
        title="Pricing study for a lab-equipment sharing subscription",
        summary=(
            "What would small labs pay per month for shared access to a network of instruments?"
        ),
        description=md("""
            - Van Westendorp or conjoint survey with at least 100 lab managers
            - Price points for three subscription tiers
        """),
        category=BUSINESS,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("pricing-strategy", "survey-design", "conjoint-analysis"),
        reward=fixed("EUR", 130_000),
        deadline_in=days(40),
        posted_ago=days(0.2),
        status=ChallengeStatus.DRAFT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="SMS service for reporting power outages in informal settlements",
        summary=(
            "Let residents report outages by SMS in Swahili or English, and show operators "
            "where the grid is down, live."
        ),
        description=md("""
            Most of our customers have feature phones. Outages are reported by walking to the
            office.

            ## What we need

            - An SMS short-code flow (Africa's Talking API) for reporting an outage and
              getting a reference number
            - A map for operators clustering reports by transformer
            - An SMS back to everyone affected when power is restored

            Keep it simple to run: one small server, PostgreSQL, no Kubernetes.
        """),
        category=IMPACT,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("sms", "python", "postgresql", "gis", "civic-tech"),
        reward=milestones(
            "USD",
            step("Reporting flow", "Residents can report and get a reference.", 150_000, 14),
            step("Operator map", "Live map clustered by transformer.", 150_000, 28),
        ),
        deadline_in=days(35),
        posted_ago=days(3),
        terms="Open source under AGPL-3.0 so other utilities can reuse it.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Volunteer matching for community repair cafés",
        summary=(
            "A simple web form and spreadsheet automation that matches repair-café volunteers "
            "to the items people bring in."
        ),
        description=md("""
            Twelve repair cafés, 90 volunteers, lots of WhatsApp messages.

            - A sign-up form for volunteers with their skills (electronics, sewing, bikes …)
            - Matching visitors' registered items to volunteers at each session
            - Everything in tools the cafés already use (Google Forms and Sheets are fine)

            A great first project for someone who likes helping neighbours.
        """),
        category=IMPACT,
        difficulty=Difficulty.BEGINNER,
        skills=("google-apps-script", "automation", "volunteering"),
        reward=fixed("EUR", 30_000),
        deadline_in=minutes(5),
        posted_ago=days(9),
    ),
    DemoChallenge(
        owner="challenger2",
        title="Water-point maintenance scheduling for rural Kenya",
        summary=(
            "Plan technician routes for 400 hand pumps so broken ones are fixed within three "
            "days, not three weeks."
        ),
        description=md("""
            Pumps report usage through cheap sensors; a drop in strokes means a breakdown.

            - Predict likely failures from usage patterns
            - Weekly route plans for six motorbike technicians
            - An SMS to the community when a repair is scheduled
        """),
        category=IMPACT,
        difficulty=Difficulty.ADVANCED,
        skills=("operations-research", "route-optimisation", "python", "water"),
        reward=milestones(
            "USD",
            step("Failure signals", "Breakdown detection from sensor data.", 180_000, 15),
            step("Route planner", "Weekly routes for the technicians.", 220_000, 30),
            step("Community SMS", "Notifications and a hand-over.", 100_000, 38),
        ),
        deadline_in=days(40),
        posted_ago=days(19),
        status=ChallengeStatus.IN_PROGRESS,
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
        clarifications=(
            "Technicians can carry at most two spare pump heads per trip; please plan for it.",
        ),
    ),
    DemoChallenge(
        owner="challenger2",
        title="Machine learning model for mapping rooftop solar potential from satellite images",
        summary=(
            "Estimate usable roof area and orientation for every building in two cities from "
            "satellite imagery, to target our rooftop solar programme."
        ),
        description=md("""
            We want to know which neighbourhoods of Kisumu and Mombasa have the most rooftop
            solar potential, building by building.

            - Segment roofs from 30 cm satellite imagery (we license it for the project)
            - Estimate roof area, pitch class and orientation
            - Combine with irradiance data to rank buildings by yearly kWh potential

            The machine learning pipeline must be reproducible and documented; validation on
            300 buildings we surveyed by drone.
        """),
        category=IMPACT,
        difficulty=Difficulty.ADVANCED,
        skills=("machine-learning", "remote-sensing", "segmentation", "gis", "solar-energy"),
        reward=ranged("USD", 600_000, 1_000_000),
        deadline_in=days(55),
        posted_ago=days(1),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
        terms="The resulting map is published as open data.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Pictogram instructions for using a clean cookstove",
        summary=(
            "Wordless step-by-step pictograms showing how to light, use and clean an improved "
            "cookstove. Two prizes."
        ),
        description=md("""
            Many users cannot read the instruction leaflet. We need pictures that work
            without words.

            - Eight to ten steps, from loading fuel to emptying ash
            - Tested with at least five people who do not read English
            - Vector files for printing on the stove box and on a wall chart
        """),
        category=IMPACT,
        difficulty=Difficulty.BEGINNER,
        skills=("pictograms", "illustration", "user-testing", "low-literacy-design"),
        reward=fixed("GBP", 70_000),
        winners=2,
        prize_split=(60, 40),
        deadline_in=days(21),
        posted_ago=days(4),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Evaluation framework for a youth solar-technician apprenticeship",
        summary=(
            "How do we know our apprenticeship works? Design indicators, data collection and "
            "a simple tracer study for 200 graduates."
        ),
        description=md("""
            - A theory of change and indicators (skills, jobs, income)
            - Data collection tools our staff can run on phones
            - A tracer study design for graduates one and two years on
        """),
        category=IMPACT,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("monitoring-and-evaluation", "theory-of-change", "survey-design"),
        reward=fixed("EUR", 210_000),
        deadline_in=days(33),
        posted_ago=days(0.1),
        status=ChallengeStatus.PENDING_REVIEW,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Accessible bus timetable for visually impaired riders",
        summary="A screen-reader-friendly and audio version of Kisumu's matatu routes.",
        description=md("""
            - Collect routes and typical times from operators
            - An accessible web page and a phone-in audio line
        """),
        category=IMPACT,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("accessibility", "transport", "civic-tech"),
        reward=fixed("USD", 180_000),
        deadline_in=days(45),
        posted_ago=days(0.3),
        status=ChallengeStatus.DRAFT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Flood early-warning message templates in five languages",
        summary=(
            "Short, tested SMS and radio messages warning of floods, in Swahili, Luo, Luhya, "
            "Kalenjin and English."
        ),
        description=md("""
            - Message templates for three warning levels
            - Tested for understanding with community members
            - Under 160 characters per SMS
        """),
        category=IMPACT,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("risk-communication", "translation", "disaster-preparedness"),
        reward=fixed("USD", 90_000),
        deadline_in=days(8),
        posted_ago=days(27),
        status=ChallengeStatus.CANCELLED,
        cancellation=DemoCancellation(
            CancelReason.NO_SUITABLE_APPLICATIONS,
            "No applicant covered Luhya and Kalenjin; we will work with the county instead.",
            by="challenger2",
        ),
    ),
)
