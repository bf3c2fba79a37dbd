"""Demo challenges in design and in writing & content."""

from __future__ import annotations

from openchance.challenges.demo_data.model import (
    DemoCancellation,
    DemoChallenge,
    days,
    fixed,
    md,
    milestones,
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

DESIGN = "design"
WRITING = "writing-content"

CREATIVE_CHALLENGES: tuple[DemoChallenge, ...] = (
    DemoChallenge(
        owner="challenger2",
        title="Brand identity for a community solar cooperative",
        summary=(
            "A logo, colours and a one-page brand guide for Sunshare Kisumu, a cooperative of "
            "140 households that owns its own solar plant. Three prizes."
        ),
        description=md("""
            Sunshare Kisumu started as a WhatsApp group and now runs a 60 kW solar plant. The
            members want an identity they can paint on the plant fence and print on receipts.

            **Brief**

            - A logo that works in one colour (it will be stencilled)
            - A palette of at most four colours and one free typeface
            - A one-page guide showing the logo on a receipt, a T-shirt and a sign

            The members vote on the shortlist; the top three entries share the prize
            (60 % / 25 % / 15 %).
        """),
        category=DESIGN,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("branding", "logo-design", "illustrator", "print-design"),
        reward=fixed("EUR", 150_000),
        winners=3,
        prize_split=(60, 25, 15),
        deadline_in=days(24),
        posted_ago=days(3),
        ip_terms=IPTerms.ASSIGNMENT,
        terms="The winning designs are assigned to the cooperative; runners-up keep theirs.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Redesign the onboarding flow of our lab booking app",
        summary=(
            "New researchers give up before booking their first instrument. Redesign the first "
            "ten minutes of our booking app, from sign-up to first booking."
        ),
        description=md("""
            Our instrument booking web app has a 38 % drop-off between account creation and
            the first booking. Session recordings show people lost in the training-certificate
            step.

            - Five short user interviews (we recruit the participants)
            - A redesigned flow in Figma, desktop and mobile
            - A clickable prototype and a usability test with five people

            Our design tokens and component library are in Figma already.
        """),
        category=DESIGN,
        difficulty=Difficulty.ADVANCED,
        skills=("ux-design", "figma", "user-research", "prototyping"),
        reward=ranged("USD", 300_000, 550_000),
        deadline_in=days(32),
        posted_ago=days(2),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Infographic series explaining how mini-grids work",
        summary=(
            "Six infographics for village meetings: where the electricity comes from, what the "
            "tariff pays for, and what to do when the power goes out."
        ),
        description=md("""
            Our community liaison officers explain mini-grids at village meetings, often to
            people who have never had grid power.

            - Six A3 infographics, printable in black and white
            - Minimal text, in English and Swahili (we supply the translations)
            - Editable source files (Illustrator, Affinity or Figma)

            Drafts are tested at two meetings before the final versions.
        """),
        category=DESIGN,
        difficulty=Difficulty.BEGINNER,
        skills=("infographics", "illustration", "visual-communication"),
        reward=milestones(
            "EUR",
            step("Sketches", "Rough sketches of all six for the first meeting.", 40_000, 7),
            step("Final artwork", "Finished infographics and source files.", 80_000, 21),
        ),
        deadline_in=days(25),
        posted_ago=days(14),
        status=ChallengeStatus.IN_PROGRESS,
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger",
        title="Packaging design for a biodegradable sensor kit",
        summary=(
            "Retail packaging for a soil sensor kit sold in Japanese garden centres: moulded "
            "pulp, no plastic, and a story on the box."
        ),
        description=md("""
            Our biodegradable soil sensor launches with a Japanese retail partner next spring.
            The packaging must match the product: no plastic window, no glossy laminate.

            - Structural design for moulded pulp or folded card, fitting the sensor and cable
            - Box artwork with Japanese copy (the partner supplies it) and pictograms
            - Print-ready files and a dieline

            Experience with the Japanese retail market is a strong plus.
        """),
        category=DESIGN,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("packaging-design", "sustainable-design", "dieline", "print-design"),
        reward=fixed("JPY", 450_000),
        deadline_in=days(40),
        posted_ago=days(6),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Icon set of 48 icons for an energy monitoring dashboard",
        summary=(
            "A consistent line-icon set for our operators' dashboard: batteries, panels, "
            "faults, tariffs and the rest."
        ),
        description=md("""
            Our dashboard mixes icons from four free sets and it shows.

            - 48 icons on a 24 px grid, 1.5 px stroke, SVG
            - Light and dark variants
            - Delivered as an icon font and a React component package
        """),
        category=DESIGN,
        difficulty=Difficulty.BEGINNER,
        skills=("icon-design", "svg", "ui-design"),
        reward=fixed("GBP", 80_000),
        deadline_in=days(3),
        posted_ago=days(28),
        status=ChallengeStatus.COMPLETED,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger",
        title="Design system in Figma for three internal research tools",
        summary=(
            "Unify the look of our sample inventory, booking app and data portal with one "
            "Figma design system and documented components."
        ),
        description=md("""
            Three internal tools, three teams, three styles. We want one design system:

            - Tokens (colour, type, spacing) with light and dark themes
            - About 40 components with variants and usage notes
            - A migration guide per tool

            Draft: we are still agreeing the budget internally.
        """),
        category=DESIGN,
        difficulty=Difficulty.EXPERT,
        skills=("design-systems", "figma", "ui-design", "documentation"),
        reward=milestones(
            "EUR",
            step("Tokens and foundations", "Colour, type, spacing, themes.", 300_000, 20),
            step("Components", "Core components with variants.", 500_000, 45),
            step("Adoption", "Migration guides and team workshops.", 200_000, 60),
        ),
        deadline_in=days(70),
        posted_ago=days(1),
        status=ChallengeStatus.DRAFT,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger",
        title="Poster for our open science symposium",
        summary="An A1 poster and social media cards for a one-day symposium on open science.",
        description=md("""
            The Acme Open Science Day brings 200 researchers to Lisbon.

            - A1 poster, plus 1080 x 1080 and 1200 x 630 cards
            - Our logo and the speaker list must appear
            - Three prizes for the best entries
        """),
        category=DESIGN,
        difficulty=Difficulty.BEGINNER,
        skills=("poster-design", "graphic-design", "social-media"),
        reward=fixed("EUR", 60_000),
        winners=3,
        prize_split=(50, 30, 20),
        deadline_in=days(-9),
        posted_ago=days(40),
        status=ChallengeStatus.EXPIRED,
    ),
    DemoChallenge(
        owner="challenger",
        title="Wayfinding signage for a research campus",
        summary=(
            "Visitors get lost between our six buildings. Design a signage system, from the "
            "car park to the cleanroom door."
        ),
        description=md("""
            Our campus has six buildings, three entrances and a lot of confused couriers.

            - A site survey (one day on site, travel paid separately)
            - A sign family: totems, wall signs, door plates, floor markings
            - Placement plan and specifications for the sign manufacturer

            Signs must meet UK accessibility guidance (contrast, tactile lettering).
        """),
        category=DESIGN,
        difficulty=Difficulty.ADVANCED,
        skills=("wayfinding", "environmental-graphics", "accessibility", "signage"),
        reward=fixed("GBP", 420_000),
        deadline_in=days(55),
        posted_ago=days(0.3),
        status=ChallengeStatus.PENDING_REVIEW,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Plain-language guide to home battery safety",
        summary=(
            "A four-page guide for households with solar batteries: what is dangerous, what is "
            "not, and when to call a technician."
        ),
        description=md("""
            Households in our programmes keep batteries under beds and next to cooking fires.
            We need a guide written for a reading age of about twelve.

            - Four pages, short sentences, one idea per paragraph
            - Covers heat, charging, swelling batteries, children and disposal
            - Reviewed by our technical team before we print it

            A good fit for a writer who likes making technical things simple.
        """),
        category=WRITING,
        difficulty=Difficulty.BEGINNER,
        skills=("plain-language", "technical-writing", "health-and-safety"),
        reward=fixed("EUR", 45_000),
        deadline_in=days(15),
        posted_ago=days(2),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
        terms="Published under CC BY 4.0 with the author credited.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Technical white paper on solid-state electrolytes",
        summary=(
            "A 15-page white paper for investors and engineers on where solid-state battery "
            "electrolytes stand today and what stops them scaling."
        ),
        description=md("""
            We are asked about solid-state batteries weekly and want one document to point to.

            ## Contents

            - Sulfide, oxide and polymer electrolytes: the trade-offs
            - Manufacturing bottlenecks and the dendrite problem
            - Where Acme Research's own measurements fit (we provide data and interviews)

            Every claim referenced; figures redrawn, not copied. Written for technical readers
            who are not electrochemists.
        """),
        category=WRITING,
        difficulty=Difficulty.EXPERT,
        skills=("technical-writing", "electrochemistry", "batteries", "science-communication"),
        reward=ranged("USD", 250_000, 400_000),
        deadline_in=days(38),
        posted_ago=days(5),
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Translate our solar installer handbook into Swahili",
        summary=(
            "A 120-page installer handbook, translated into Swahili that technicians actually "
            "use on site, not textbook Swahili."
        ),
        description=md("""
            Our installer handbook covers wiring, earthing, battery banks and fault finding.

            - Translation of 120 pages (about 38,000 words) from English
            - A glossary of technical terms agreed with two of our senior installers
            - Layout is done by us; you review the final PDF
        """),
        category=WRITING,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("translation", "swahili", "technical-translation"),
        reward=milestones(
            "USD",
            step(
                "Glossary and chapters 1 to 4", "Agreed glossary and the first half.", 120_000, 12
            ),
            step("Chapters 5 to 9", "The second half.", 120_000, 24),
            step("Proofread", "Review of the laid-out PDF.", 40_000, 30),
        ),
        deadline_in=days(32),
        posted_ago=days(15),
        status=ChallengeStatus.IN_PROGRESS,
        ip_terms=IPTerms.ASSIGNMENT,
        clarifications=(
            "Please keep units and wire colours in English in brackets after the Swahili term.",
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Twelve blog posts on open research practices",
        summary=(
            "A year of monthly blog posts on preregistration, open data, reproducible code "
            "and the messy reality of sharing lab work."
        ),
        description=md("""
            We want our blog to be useful to early-career researchers, not a press-release feed.

            - Twelve posts of 1,200 to 1,800 words, one a month
            - At least four based on interviews with our researchers
            - SEO basics, but written for humans first

            Paid per batch of four posts.
        """),
        category=WRITING,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("blogging", "open-science", "content-writing", "interviewing"),
        reward=milestones(
            "GBP",
            step("Posts 1 to 4", "First four posts, two interview-based.", 100_000, 30),
            step("Posts 5 to 8", "Next four posts.", 100_000, 60),
            step("Posts 9 to 12", "Last four posts.", 100_000, 90),
        ),
        deadline_in=days(95),
        posted_ago=days(8),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger",
        title="Edit our grant proposal for an EU Horizon application",
        summary=(
            "Sharpen a 45-page Horizon Europe proposal on recyclable composites: structure, "
            "impact section and a consistent voice across six partners."
        ),
        description=md("""
            Six partners wrote six sections in six styles. The deadline does not move.

            - Structural edit against the evaluation criteria
            - Rewrite of the impact and dissemination section
            - Copy-edit of the full text, British English
        """),
        category=WRITING,
        difficulty=Difficulty.ADVANCED,
        skills=("grant-writing", "editing", "horizon-europe"),
        reward=fixed("EUR", 220_000),
        deadline_in=days(2),
        posted_ago=days(25),
        status=ChallengeStatus.COMPLETED,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Case studies of five community energy projects",
        summary=(
            "Five 1,500-word case studies of community energy projects, based on interviews "
            "with the people who run them."
        ),
        description=md("""
            Funders keep asking for stories, not statistics.

            - Five case studies from Kenya, Tanzania and Uganda
            - Remote interviews with project leads (we introduce you)
            - Photos come from the projects
        """),
        category=WRITING,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("case-studies", "storytelling", "interviewing", "energy"),
        reward=fixed("EUR", 175_000),
        deadline_in=days(42),
        posted_ago=days(3),
        status=ChallengeStatus.DRAFT,
        review_note=(
            "Please say whether the reward covers all five case studies or one, and whether "
            "interview travel is expected. Resubmit once the description says so."
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Script for a three-minute explainer video on microplastics",
        summary="A script and storyboard notes for an animated explainer on microplastic filters.",
        description=md("""
            We are funding an animated explainer about our washing-machine microplastic filter.

            - Script for three minutes of voice-over
            - Scene-by-scene notes for the animator
        """),
        category=WRITING,
        difficulty=Difficulty.BEGINNER,
        skills=("scriptwriting", "science-communication", "video"),
        reward=fixed("GBP", 50_000),
        deadline_in=days(12),
        posted_ago=days(10),
        status=ChallengeStatus.CANCELLED,
        cancellation=DemoCancellation(
            CancelReason.BY_CHALLENGER_BEFORE_WORK,
            "Our animation studio offered to write the script themselves as part of their quote.",
            by="challenger",
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Japanese localisation of our instrument documentation",
        summary=(
            "Localise the user manual and quick-start guide of our benchtop spectrometer for a "
            "Japanese distributor, with correct technical terminology."
        ),
        description=md("""
            Our distributor in Osaka needs Japanese documentation before the product launch.

            - User manual (64 pages) and quick-start guide (4 pages)
            - Terminology aligned with JIS standards for optical instruments
            - Source files are in Markdown; screenshots are localised by us

            Private: the manual describes features not yet announced.
        """),
        category=WRITING,
        difficulty=Difficulty.ADVANCED,
        skills=("localisation", "japanese", "technical-translation", "markdown"),
        reward=fixed("JPY", 380_000),
        deadline_in=days(26),
        posted_ago=days(4),
        visibility=Visibility.PRIVATE,
        invitees=("solver2",),
        ip_terms=IPTerms.ASSIGNMENT,
        terms="Covered by our NDA until the product launch.",
    ),
)
