"""Demo challenges in research & science and in hardware & engineering."""

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

RESEARCH = "research-science"
HARDWARE = "hardware-engineering"

SCIENCE_CHALLENGES: tuple[DemoChallenge, ...] = (
    DemoChallenge(
        owner="challenger",
        title="Literature review: self-healing polymers for outdoor electronics",
        summary=(
            "A structured review of self-healing polymer coatings that survive UV, rain and "
            "-20 °C to 60 °C cycles, for enclosures of outdoor sensors."
        ),
        description=md("""
            We are choosing a coating for sensor housings that stay outdoors for ten years.
            Self-healing polymers look promising but the literature is scattered.

            ## We need

            - A systematic search (PRISMA-style) of papers since 2015
            - A comparison table: healing mechanism, temperature range, UV stability, cost
            - A short list of three candidates with the evidence for each

            A PhD or postdoc background in polymer chemistry is expected.
        """),
        category=RESEARCH,
        difficulty=Difficulty.ADVANCED,
        skills=("literature-review", "polymer-chemistry", "materials-science"),
        reward=fixed("EUR", 240_000),
        deadline_in=days(30),
        posted_ago=days(4),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Low-cost method to measure soil moisture without electronics",
        summary=(
            "Farmers need to know when to irrigate. Find a way to read soil moisture for under "
            "a dollar per field, with no batteries. Two prizes."
        ),
        description=md("""
            Capacitive sensors cost too much for smallholders and die in the first season.
            We are looking for ideas that use cheap, local materials: gypsum blocks, colour-
            changing papers, clay, anything that works.

            **Judging**

            - Accuracy against a reference sensor in three soil types
            - Cost per measurement point and durability over a season
            - Can a farmer read it without training?

            Send a method description and test results; the best two share the prize.
        """),
        category=RESEARCH,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("soil-science", "agriculture", "frugal-innovation", "field-testing"),
        reward=fixed("USD", 500_000),
        winners=2,
        prize_split=(70, 30),
        deadline_in=days(60),
        posted_ago=days(7),
        terms="Solvers keep their rights; we publish the winning methods openly.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Reproduce a published perovskite solar cell stability study",
        summary=(
            "Repeat the 1,000-hour damp-heat test of a 2023 perovskite stability paper in an "
            "independent lab and report whether the results hold."
        ),
        description=md("""
            A widely cited paper reports under 5 % efficiency loss after 1,000 hours at 85 °C
            and 85 % humidity. We want to know whether it reproduces before we build on it.

            - Fabricate cells following the paper's supplementary methods
            - Run the damp-heat test with at least 12 devices
            - Report every deviation from the protocol, and all data

            Access to a glovebox and a climate chamber is required.
        """),
        category=RESEARCH,
        difficulty=Difficulty.EXPERT,
        skills=("photovoltaics", "perovskites", "reproducibility", "lab-work"),
        reward=milestones(
            "EUR",
            step("Devices", "Fabricated devices and initial efficiency data.", 400_000, 20),
            step("Damp-heat test", "1,000-hour test completed, raw data shared.", 500_000, 70),
            step("Report", "Full report with every protocol deviation.", 300_000, 80),
        ),
        deadline_in=days(85),
        posted_ago=days(50),
        status=ChallengeStatus.IN_REVIEW,
        terms="Results may be published whatever they show.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Survey design for energy poverty in peri-urban Nairobi",
        summary=(
            "Design a household survey that measures energy poverty properly, beyond "
            "'has a grid connection', for 1,500 households in three settlements."
        ),
        description=md("""
            Connection rates hide the real picture: many connected households cannot afford
            to use their power. We want a survey that captures that.

            - A questionnaire grounded in the Multi-Tier Framework
            - A sampling plan for three settlements, with power calculations
            - Enumerator training notes and a pilot with 50 households (our team runs it)
        """),
        category=RESEARCH,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("survey-design", "sampling", "energy-access", "social-research"),
        reward=fixed("KES", 35_000_000),
        deadline_in=days(27),
        posted_ago=days(2),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger",
        title="Non-toxic alternative to PFAS coatings for textile water repellence",
        summary=(
            "Find a fluorine-free finish that keeps outdoor fabric water-repellent after 20 "
            "washes. Lab-scale proof is enough for the first stage."
        ),
        description=md("""
            A textile partner must drop PFAS finishes by 2026. Current fluorine-free options
            lose repellency after a few washes.

            ## Targets

            - Spray rating of at least 80 (ISO 4920) after 20 domestic washes
            - No fluorinated compounds; REACH-compliant ingredients only
            - Applicable in the partner's existing pad-dry-cure line

            ## Stages

            1. Proposal and literature basis
            2. Lab-scale samples tested by an accredited lab (we pay the testing)
            3. A pilot run on the partner's line

            Private: invited solvers only, under NDA.
        """),
        category=RESEARCH,
        difficulty=Difficulty.EXPERT,
        skills=("surface-chemistry", "textiles", "green-chemistry", "materials-science"),
        reward=milestones(
            "EUR",
            step("Proposal", "Chemistry proposal and literature basis.", 300_000, 21),
            step("Lab samples", "Samples passing the wash test.", 1_200_000, 75),
            step("Pilot run", "Successful run on the production line.", 1_000_000, 110),
        ),
        deadline_in=days(120),
        posted_ago=days(9),
        visibility=Visibility.PRIVATE,
        invitees=("solver", "solver2"),
        ip_terms=IPTerms.ASSIGNMENT,
        terms="IP assigned to Acme Research, with a royalty for the solver on licences.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Statistical review of a cookstove field trial protocol",
        summary=(
            "Check our cluster-randomised trial design for improved cookstoves before we spend "
            "the budget: power, randomisation and the analysis plan."
        ),
        description=md("""
            We plan a cluster-randomised trial in 40 villages measuring household air pollution
            and fuel use.

            - Review sample size and intra-cluster correlation assumptions
            - Check the randomisation and blinding plan
            - Comment on the pre-registered analysis plan
        """),
        category=RESEARCH,
        difficulty=Difficulty.ADVANCED,
        skills=("biostatistics", "trial-design", "r", "public-health"),
        reward=fixed("GBP", 120_000),
        deadline_in=days(20),
        posted_ago=days(0.1),
        status=ChallengeStatus.PENDING_REVIEW,
    ),
    DemoChallenge(
        owner="challenger",
        title="Characterise the thermal conductivity of hemp-lime samples",
        summary=(
            "Measure thermal conductivity and moisture buffering of six hemp-lime mixes using "
            "a guarded hot plate."
        ),
        description=md("""
            Six mixes, three samples each, measured dry and at 50 % and 80 % relative humidity.

            - EN 12667 guarded hot plate method
            - Moisture buffering value per NORDTEST
            - Raw data and a short report
        """),
        category=RESEARCH,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("building-physics", "materials-testing", "thermal-analysis"),
        reward=ranged("EUR", 90_000, 140_000),
        deadline_in=days(-2),
        posted_ago=days(30),
        status=ChallengeStatus.EXPIRED,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Meta-analysis of clean cookstove adoption studies",
        summary="Pool the evidence on why households keep or abandon improved cookstoves.",
        description=md("""
            Dozens of studies, contradictory conclusions.

            - Systematic search and a random-effects meta-analysis
            - Moderators: price, stove type, fuel availability, gender of the main cook
        """),
        category=RESEARCH,
        difficulty=Difficulty.ADVANCED,
        skills=("meta-analysis", "systematic-review", "r", "development-economics"),
        reward=fixed("USD", 300_000),
        deadline_in=days(15),
        posted_ago=days(33),
        status=ChallengeStatus.CANCELLED,
        cancellation=DemoCancellation(
            CancelReason.CLIENT_UNRESPONSIVE,
            "The challenger did not answer applicants' questions for three weeks.",
            by="moderator",
        ),
    ),
    DemoChallenge(
        owner="challenger2",
        title="Open-hardware charge controller for 48 V solar kits",
        summary=(
            "Design an MPPT charge controller for 48 V LiFePO4 systems that a workshop in "
            "Nairobi can build and repair, published as open hardware."
        ),
        description=md("""
            Imported charge controllers fail in the heat and cannot be repaired locally. We want
            a design local workshops can assemble from parts available in Nairobi.

            ## Specification

            - 48 V nominal battery, up to 1.5 kW of panels, MPPT
            - Through-hole or large SMD parts only (hand-solderable)
            - CAN or RS-485 for monitoring; firmware open source
            - Derating above 45 °C, tested at 55 °C ambient

            ## Deliverables

            KiCad files, bill of materials with local sources, firmware, test report and a
            repair guide. Licence: CERN-OHL-S.
        """),
        category=HARDWARE,
        difficulty=Difficulty.EXPERT,
        skills=("power-electronics", "kicad", "mppt", "embedded-c", "open-hardware"),
        reward=milestones(
            "USD",
            step("Schematic", "Reviewed schematic and simulation results.", 300_000, 20),
            step("Prototype", "Working prototype at 1.5 kW.", 500_000, 55),
            step("Thermal tests", "Tests at 55 °C ambient, report.", 250_000, 70),
            step("Repair guide", "Build and repair documentation.", 150_000, 80),
        ),
        deadline_in=days(90),
        posted_ago=days(6),
        terms="Published under CERN-OHL-S v2; the solver is credited.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="3D-printable enclosure for an outdoor air-quality sensor",
        summary=(
            "A weatherproof, printable housing for a PM2.5 sensor and an ESP32 that still lets "
            "air flow through. Beginners welcome."
        ),
        description=md("""
            Our volunteers build air-quality sensors at workshops, but the enclosures either
            leak or block airflow.

            - Prints on a standard FDM printer without supports, in PETG or ASA
            - Fits a Plantower PMS5003, an ESP32 dev board and a BME280
            - Louvred design that keeps rain out; a pole mount

            STEP and STL files plus a photo of your printed prototype.
        """),
        category=HARDWARE,
        difficulty=Difficulty.BEGINNER,
        skills=("3d-printing", "cad", "enclosure-design", "fusion-360"),
        reward=fixed("EUR", 40_000),
        deadline_in=minutes(2),
        posted_ago=days(10),
        terms="Files published under CC BY-SA 4.0.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Low-power LoRa firmware for water-level sensors",
        summary=(
            "Firmware for a LoRaWAN water-level sensor that lasts three years on two AA "
            "batteries, reporting every 15 minutes."
        ),
        description=md("""
            We monitor 60 boreholes and tanks. The current firmware drains batteries in four
            months.

            - STM32WL, LoRaWAN 1.0.4 class A
            - Ultrasonic level reading with median filtering
            - Sleep current under 5 µA, measured
            - Over-the-air configuration of the reporting interval
        """),
        category=HARDWARE,
        difficulty=Difficulty.ADVANCED,
        skills=("embedded-c", "lorawan", "stm32", "low-power-design"),
        reward=ranged("EUR", 350_000, 500_000),
        deadline_in=days(40),
        posted_ago=days(20),
        status=ChallengeStatus.IN_PROGRESS,
        visibility=Visibility.PRIVATE,
        invitees=("solver2",),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger",
        title="Test rig for cycling lithium iron phosphate cells",
        summary=(
            "Build an 8-channel cycler for LiFePO4 cells with temperature control, logging to "
            "a PC, for our partner lab in Osaka."
        ),
        description=md("""
            Commercial cyclers are expensive and our partner lab needs eight channels for a
            long ageing study.

            - 8 independent channels, up to 10 A charge and discharge
            - Temperature-controlled enclosure, 25 to 45 °C
            - Logging at 1 Hz to CSV, with safety cut-offs in hardware
            - Built and commissioned on site in Osaka (travel covered separately)
        """),
        category=HARDWARE,
        difficulty=Difficulty.ADVANCED,
        skills=("battery-testing", "power-electronics", "labview", "instrumentation"),
        reward=fixed("JPY", 1_800_000),
        deadline_in=days(65),
        posted_ago=days(3),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger",
        title="PCB redesign to replace an obsolete microcontroller",
        summary=(
            "Our sensor board uses a discontinued PIC. Port it to a current STM32 with the "
            "same footprint and connectors."
        ),
        description=md("""
            - Same board outline and connector positions
            - Port the firmware (about 4,000 lines of C)
            - Five assembled boards for testing
        """),
        category=HARDWARE,
        difficulty=Difficulty.ADVANCED,
        skills=("pcb-design", "kicad", "stm32", "firmware"),
        reward=fixed("GBP", 260_000),
        deadline_in=days(4),
        posted_ago=days(38),
        status=ChallengeStatus.COMPLETED,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Hand-cranked grain mill with 30 % better efficiency",
        summary=(
            "Improve a widely used hand-cranked maize mill so it grinds a kilo with less "
            "effort, using parts a rural blacksmith can make."
        ),
        description=md("""
            Women in our partner villages spend hours a week milling by hand.

            - Measure the baseline mill (we ship one)
            - Redesign burrs, gearing or flywheel for 30 % less energy per kilo
            - Drawings a blacksmith can follow, no CNC parts
        """),
        category=HARDWARE,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("mechanical-design", "appropriate-technology", "prototyping"),
        reward=fixed("USD", 200_000),
        deadline_in=days(50),
        posted_ago=days(0.4),
        status=ChallengeStatus.PENDING_REVIEW,
        terms="The design is published openly.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Thermal camera add-on for a Raspberry Pi",
        summary="A low-cost thermal imaging add-on for inspecting battery packs.",
        description=md("""
            - MLX90640 or similar sensor, HAT form factor
            - Python library and a live-view app
            - Cost target under €60 in parts
        """),
        category=HARDWARE,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("raspberry-pi", "thermal-imaging", "python", "pcb-design"),
        reward=fixed("EUR", 110_000),
        deadline_in=days(35),
        posted_ago=days(0.5),
        status=ChallengeStatus.DRAFT,
    ),
    DemoChallenge(
        owner="challenger",
        title="Vibration-isolated mount for a benchtop spectrometer",
        summary="Damp floor vibration for a Raman spectrometer on the second floor of our lab.",
        description=md("""
            - Passive isolation from 5 Hz upwards
            - Fits a 60 x 45 cm footprint, 35 kg instrument
            - Vibration measurements before and after
        """),
        category=HARDWARE,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("vibration-isolation", "mechanical-design", "instrumentation"),
        reward=fixed("EUR", 85_000),
        deadline_in=days(22),
        posted_ago=days(18),
        status=ChallengeStatus.CANCELLED,
        cancellation=DemoCancellation(
            CancelReason.OTHER,
            "The lab moved to a ground-floor room and the problem went away.",
            by="challenger",
        ),
    ),
)
