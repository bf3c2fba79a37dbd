"""Demo challenges in software development and data science & AI."""

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

SOFTWARE = "software-development"
DATA = "data-science-ai"

TECH_CHALLENGES: tuple[DemoChallenge, ...] = (
    DemoChallenge(
        owner="challenger2",
        title="Offline-first mobile app for household energy surveys",
        summary=(
            "Our field teams survey 3,000 households a year on paper. We want an Android app "
            "that works for days without signal and syncs when it can."
        ),
        description=md("""
            Green Grid NGO runs energy-access surveys in peri-urban Nairobi and rural Kisumu.
            Today enumerators fill in paper forms that are typed up weeks later, and about a
            tenth of them are unreadable.

            **What we need**

            - An Android app (Flutter or React Native) with our 40-question survey, skip logic
              included
            - Local storage that survives a phone restart, and sync to a small REST API when
              the phone is online
            - Photos of the meter or solar panel attached to a survey, compressed on device
            - A simple admin page listing synced surveys and exporting CSV

            The questionnaire, an example export and our hosting details are shared with the
            solver we select. Phones are low-end (2 GB RAM, Android 10).
        """),
        category=SOFTWARE,
        difficulty=Difficulty.ADVANCED,
        skills=("flutter", "android", "offline-sync", "rest-api", "sqlite"),
        reward=milestones(
            "EUR",
            step("Prototype", "Survey screens with skip logic, stored locally.", 250_000, 14),
            step("Sync and photos", "Background sync to the API; photo capture.", 300_000, 30),
            step("Field pilot", "Fixes from a one-week pilot with ten enumerators.", 200_000, 45),
        ),
        deadline_in=days(50),
        posted_ago=days(4),
        ip_terms=IPTerms.ASSIGNMENT,
        terms="Source code delivered in our GitHub organisation under the MIT licence.",
        clarifications=(
            "Both Flutter and React Native are fine; we lean towards Flutter because our "
            "volunteer developers know Dart.",
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Migrate a legacy PHP inventory system to Django",
        summary=(
            "A 2009 PHP 5 app tracks 12,000 lab samples. Move it to Django and PostgreSQL "
            "without losing a single record."
        ),
        description=md("""
            Our sample inventory is a hand-written PHP 5 application on MySQL 5.1. It works,
            but nobody dares to touch it, and the server it runs on leaves support this year.

            ## Scope

            1. Model the 14 tables in Django, fixing the obvious denormalisation
            2. A repeatable migration script from the MySQL dump (we provide an anonymised one)
            3. The six screens people actually use: search, sample detail, check-in, check-out,
               freezer map and the monthly report
            4. Login with our existing LDAP directory

            We do **not** need the barcode printing module; it was replaced years ago.
            Tests for the migration script are a must.
        """),
        category=SOFTWARE,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("django", "python", "postgresql", "mysql", "data-migration"),
        reward=ranged("GBP", 400_000, 750_000),
        deadline_in=days(35),
        posted_ago=days(6),
        ip_terms=IPTerms.ASSIGNMENT,
        terms="Work for hire; the code is ours once paid.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Open-source Python client for our materials database API",
        summary=(
            "Write a typed, well-tested Python package for the Acme Materials API so "
            "researchers stop copying curl commands from the wiki."
        ),
        description=md("""
            The Acme Materials API serves measured properties of about 80,000 compounds
            (JSON over HTTPS, token auth, cursor pagination). Researchers use it from Jupyter
            notebooks, mostly with copied snippets.

            We would like a small package, published on PyPI under the Apache 2.0 licence:

            - Sync and async clients (httpx), with retries and rate-limit handling
            - Pydantic models for the 9 resource types, generated or hand-written
            - Iterators that follow cursors transparently
            - `pandas` helpers to turn results into data frames (optional extra)
            - Docs with three notebook examples

            The OpenAPI document is public; a sandbox token is sent to the selected solver.
        """),
        category=SOFTWARE,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("python", "httpx", "pydantic", "api-client", "open-source"),
        reward=fixed("EUR", 320_000),
        deadline_in=days(28),
        posted_ago=days(1),
        terms="Released under Apache 2.0; the solver is credited as author.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Accessibility audit and fixes for a React donation portal",
        summary=(
            "Bring our donation site to WCAG 2.2 AA: audit it, fix what you find, and leave "
            "us automated checks so it stays that way."
        ),
        description=md("""
            Our donation portal (React 18, Vite, Stripe Elements) fails basic screen-reader
            tests: the amount picker is a set of unlabeled divs and focus disappears in the
            payment step.

            **Deliverables**

            - A short audit report against WCAG 2.2 AA, with severity per finding
            - Pull requests fixing every A and AA issue in the donation flow
            - `axe-core` checks in our Playwright suite, running in CI

            Testing with NVDA and VoiceOver is expected. We have 14 components in scope.
        """),
        category=SOFTWARE,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("react", "accessibility", "wcag", "playwright", "typescript"),
        reward=fixed("USD", 280_000),
        deadline_in=days(21),
        posted_ago=days(16),
        status=ChallengeStatus.IN_PROGRESS,
        ip_terms=IPTerms.ASSIGNMENT,
        clarifications=(
            "The recurring-donation toggle is out of scope; it is being rewritten separately.",
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Speed up a slow PostgreSQL reporting query suite",
        summary=(
            "Eleven reporting queries take 40 seconds to 6 minutes on a 200 GB database. "
            "Make the monthly report run in under a minute."
        ),
        description=md("""
            Our monthly lab report runs eleven SQL queries against PostgreSQL 15. The largest
            table holds 900 million measurement rows, partitioned by month.

            We are looking for someone who reads `EXPLAIN (ANALYZE, BUFFERS)` for fun:

            - Find why the planner picks nested loops on the partition joins
            - Propose indexes, statistics targets or query rewrites, with measurements
            - Keep results **identical** (we provide the expected outputs)

            Access is through a masked copy of the database on a staging server.
        """),
        category=SOFTWARE,
        difficulty=Difficulty.ADVANCED,
        skills=("postgresql", "sql", "query-optimisation", "performance"),
        reward=fixed("EUR", 180_000),
        deadline_in=days(10),
        posted_ago=days(30),
        status=ChallengeStatus.COMPLETED,
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Rust service for ingesting real-time smart meter readings",
        summary=(
            "Replace a Python script that drops readings under load with a Rust service that "
            "takes 20,000 MQTT messages a second into TimescaleDB."
        ),
        description=md("""
            Our mini-grids report one reading per meter every 15 seconds over MQTT. The
            current Python consumer falls behind at peak and silently drops messages.

            ## Requirements

            - Rust (tokio), consuming from Mosquitto with QoS 1
            - Batched inserts into TimescaleDB with back-pressure, no data loss on restart
            - Prometheus metrics and structured logs
            - A load test proving 20,000 messages/s on a 4-core VM

            Deployment is a single Docker image; we run it on Kubernetes.
        """),
        category=SOFTWARE,
        difficulty=Difficulty.EXPERT,
        skills=("rust", "tokio", "mqtt", "timescaledb", "observability"),
        reward=milestones(
            "USD",
            step("Design note", "Architecture, failure modes and the load-test plan.", 150_000, 10),
            step("Working service", "Ingestion with batching and metrics.", 450_000, 30),
            step("Load test", "20,000 msg/s sustained for an hour, report included.", 200_000, 40),
        ),
        deadline_in=days(45),
        posted_ago=days(0.5),
        status=ChallengeStatus.PENDING_REVIEW,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Browser extension to flag duplicate grant applications",
        summary=(
            "A Chrome extension for our grant reviewers that warns when an application "
            "repeats text from earlier ones."
        ),
        description=md("""
            Reviewers read about 400 small-grant applications per round in our grants portal.
            Some applicants submit the same proposal under different names.

            - Highlight paragraphs that match earlier applications (shingling is fine)
            - Runs entirely in the browser; the portal exposes a JSON export
            - Chrome and Firefox
        """),
        category=SOFTWARE,
        difficulty=Difficulty.BEGINNER,
        skills=("javascript", "browser-extension", "text-similarity"),
        reward=fixed("EUR", 90_000),
        deadline_in=days(20),
        posted_ago=days(9),
        status=ChallengeStatus.CANCELLED,
        cancellation=DemoCancellation(
            CancelReason.DUPLICATE,
            "Posted twice by mistake; the other posting of this challenge stays open.",
            by="moderator",
        ),
    ),
    DemoChallenge(
        owner="challenger",
        title="Command-line tool to validate lab instrument CSV exports",
        summary=(
            "A small CLI that checks spectrometer CSV files against a schema before they reach "
            "our database, with friendly error messages."
        ),
        description=md("""
            Three spectrometer models export CSV files with slightly different headers, units
            and decimal separators. Bad files break the nightly import.

            Write a command-line tool (Python, packaged with `pipx` in mind) that:

            - detects which instrument wrote the file
            - validates columns, units and value ranges against a YAML schema
            - prints errors with line numbers a technician can act on
            - exits non-zero on failure, so the import script can stop

            Twenty sample files, good and bad, come with the challenge. A nice first
            paid project for someone learning Python packaging.
        """),
        category=SOFTWARE,
        difficulty=Difficulty.BEGINNER,
        skills=("python", "cli", "csv", "data-validation"),
        reward=fixed("GBP", 60_000),
        deadline_in=days(18),
        posted_ago=days(2),
        terms="Released under the MIT licence.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Machine learning model for predicting battery degradation in off-grid solar kits",
        summary=(
            "Predict when a home solar battery will fall below 70 % capacity from two years of "
            "charge telemetry, so we can replace it before the lights go out."
        ),
        description=md("""
            We monitor 6,200 solar home systems in Kenya and Uganda. Each reports voltage,
            current and temperature every 15 minutes. Lead-acid and LiFePO4 batteries degrade
            at very different rates depending on usage and heat.

            ## The task

            Build a machine learning model that predicts remaining useful life (in weeks) per
            battery, with an uncertainty estimate.

            - Training data: 2 years of telemetry (about 1.4 billion rows, Parquet)
            - 410 batteries with a measured end-of-life date as labels
            - Evaluation on a held-out set of 80 batteries: mean absolute error in weeks

            ## Deliverables

            1. A reproducible training pipeline (Python; scikit-learn, LightGBM or PyTorch)
            2. A model card describing data, limits and failure cases
            3. A batch scoring script we can run weekly
        """),
        category=DATA,
        difficulty=Difficulty.ADVANCED,
        skills=("machine-learning", "python", "time-series", "lightgbm", "predictive-maintenance"),
        reward=milestones(
            "EUR",
            step("Baseline", "Feature pipeline and a baseline model with its error.", 200_000, 14),
            step("Final model", "Tuned model, uncertainty estimate, model card.", 400_000, 35),
            step("Scoring", "Weekly batch scoring script and a hand-over call.", 150_000, 42),
        ),
        deadline_in=days(45),
        posted_ago=days(3),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
        terms="We may use and adapt the model; the solver may publish the method.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Machine learning model for detecting hairline cracks in ceramic tiles",
        summary=(
            "Detect cracks narrower than 0.1 mm in line-scan images of ceramic tiles, fast "
            "enough for a production line running at one tile per second."
        ),
        description=md("""
            Acme Research works with a tile manufacturer whose visual inspection misses about
            3 % of cracked tiles. We have 55,000 labelled line-scan images (8k x 2k pixels).

            **What a good solution looks like**

            - Recall above 98 % on cracked tiles at a false-alarm rate below 1 %
            - Inference under 800 ms per tile on an NVIDIA T4
            - A segmentation mask or bounding boxes an operator can check

            This challenge is private: the images are under NDA, so only invited solvers see
            it. Please describe similar industrial-vision work in your application.
        """),
        category=DATA,
        difficulty=Difficulty.EXPERT,
        skills=("computer-vision", "machine-learning", "pytorch", "defect-detection"),
        reward=ranged("USD", 800_000, 1_500_000),
        deadline_in=days(60),
        posted_ago=days(5),
        visibility=Visibility.PRIVATE,
        invitees=("solver",),
        ip_terms=IPTerms.ASSIGNMENT,
        terms="An NDA covers the images; the trained weights are assigned to Acme Research.",
    ),
    DemoChallenge(
        owner="challenger2",
        title="Machine learning model for classifying crop diseases from smartphone photos",
        summary=(
            "Help smallholder farmers recognise maize and cassava diseases from a phone photo, "
            "with a model small enough to run offline."
        ),
        description=md("""
            Our agricultural extension officers want a tool farmers can use in the field,
            without data coverage. We hold 18,000 photos labelled by agronomists across seven
            classes (healthy, maize streak, grey leaf spot, cassava mosaic, cassava brown
            streak, fall armyworm damage, other).

            - Train an image classifier and export it to TensorFlow Lite (under 20 MB)
            - Report per-class precision and recall, and a confusion matrix
            - Show how it behaves on blurry or badly lit photos

            A simple Android demo app is a bonus, not a requirement.
        """),
        category=DATA,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("machine-learning", "image-classification", "tensorflow-lite", "agriculture"),
        reward=fixed("GBP", 350_000),
        deadline_in=days(30),
        posted_ago=days(1),
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
        terms="The model is released openly for other NGOs to use.",
    ),
    DemoChallenge(
        owner="challenger",
        title="Clean and deduplicate 40,000 supplier records",
        summary=(
            "Our supplier list grew through three mergers. Find the duplicates, normalise "
            "names and addresses, and tell us how sure you are about each merge."
        ),
        description=md("""
            The spreadsheet has 40,112 rows with company name, VAT number (often missing),
            address and contact e-mail, in five languages.

            - Group records that refer to the same company; keep an audit trail of merges
            - Normalise country names, postcodes and legal forms (GmbH, S.A., Ltd …)
            - A confidence score for each merge; anything below 0.8 goes to a review sheet

            Python with pandas or any tool you like, as long as we can rerun it.
        """),
        category=DATA,
        difficulty=Difficulty.BEGINNER,
        skills=("data-cleaning", "pandas", "record-linkage", "python"),
        reward=fixed("EUR", 75_000),
        deadline_in=minutes(3),
        posted_ago=days(12),
    ),
    DemoChallenge(
        owner="challenger2",
        title="Forecast household electricity demand for 30 mini-grids",
        summary=(
            "Day-ahead hourly demand forecasts per mini-grid so operators can plan diesel "
            "backup and battery dispatch."
        ),
        description=md("""
            Thirty solar mini-grids in Tanzania serve between 80 and 600 households each. We
            have three years of hourly consumption, tariffs, public holidays and local weather.

            - Day-ahead hourly forecasts per site, retrained weekly
            - Beat our seasonal-naive baseline by at least 20 % MAPE
            - Explain which features drive demand (market days matter a lot)

            Delivered as a Python package and a short report.
        """),
        category=DATA,
        difficulty=Difficulty.ADVANCED,
        skills=("forecasting", "time-series", "python", "energy"),
        reward=fixed("USD", 420_000),
        deadline_in=days(7),
        posted_ago=days(40),
        status=ChallengeStatus.IN_REVIEW,
        ip_terms=IPTerms.NON_EXCLUSIVE_LICENCE,
    ),
    DemoChallenge(
        owner="challenger",
        title="Named-entity extraction from scanned lab notebooks",
        summary=(
            "Pull compound names, quantities and reaction conditions out of 4,000 scanned pages "
            "of handwritten lab notebooks from the 1990s."
        ),
        description=md("""
            Our archive holds 4,000 scanned notebook pages. Chemists want to search them by
            compound and condition.

            1. OCR of handwriting (we tried Tesseract; it is not enough)
            2. Extraction of compounds, amounts with units, temperatures and durations
            3. Output as JSON linked to page and bounding box

            We will judge on 200 hand-annotated pages.
        """),
        category=DATA,
        difficulty=Difficulty.ADVANCED,
        skills=("nlp", "ocr", "named-entity-recognition", "chemistry"),
        reward=ranged("EUR", 500_000, 900_000),
        deadline_in=days(40),
        posted_ago=days(0.2),
        status=ChallengeStatus.PENDING_REVIEW,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
    DemoChallenge(
        owner="challenger2",
        title="Dashboard of air-quality sensor data with anomaly alerts",
        summary=(
            "Turn readings from 25 low-cost PM2.5 sensors into a public dashboard that flags "
            "broken sensors and pollution spikes."
        ),
        description=md("""
            Our sensors upload PM2.5, PM10, temperature and humidity every minute to an
            InfluxDB bucket.

            - A public dashboard (Grafana or a small web app) with a map
            - Detection of stuck or drifting sensors versus real pollution events
            - A weekly e-mail summary for the city council
        """),
        category=DATA,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("dashboards", "anomaly-detection", "grafana", "influxdb"),
        reward=fixed("GBP", 150_000),
        deadline_in=days(-4),
        posted_ago=days(35),
        status=ChallengeStatus.EXPIRED,
    ),
    DemoChallenge(
        owner="challenger",
        title="Churn prediction for a Tokyo coworking chain",
        summary=(
            "Which members are about to cancel? Build a churn model from check-in and billing "
            "data for a partner's twelve coworking spaces."
        ),
        description=md("""
            A coworking partner in Tokyo asked us to help keep members. We have 26 months of
            badge check-ins, bookings and invoices for 9,000 members (pseudonymised).

            - Monthly churn probability per member
            - The three strongest signals, in plain language for the sales team
            - A notebook the partner's analyst can rerun

            Reports in Japanese or English.
        """),
        category=DATA,
        difficulty=Difficulty.INTERMEDIATE,
        skills=("churn-prediction", "python", "scikit-learn", "customer-analytics"),
        reward=fixed("JPY", 600_000),
        deadline_in=days(5),
        posted_ago=days(45),
        status=ChallengeStatus.COMPLETED,
        ip_terms=IPTerms.ASSIGNMENT,
    ),
)
