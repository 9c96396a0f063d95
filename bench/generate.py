#!/usr/bin/env python3
"""Generate a deterministic, realistic DocFX "playbook" docset to benchmark playbooklint.

What it models
==============
The shape is the FastTrack playbook of ``examples/fasttrack-playbook``, scaled up:

* ``index.md`` with an "Engagement Models" list and the canonical ``## FastTrack Phases`` ordered
  list of the ten phase pages; ten ``phase-*.md`` pages with ``[Previous: ...]``/``[Next: ...]``
  links; six engagement-model pages listing an in-order subset of the phases (lazy ``1.``,
  consecutive, and "own number" numbering); an adoption page and a licensing reference page.
* ``services/<service>/index.md`` plus ``services/<service>/topic-NNN.md`` pages (the bulk), a
  ``TOC.yml`` per service folder, and a root ``TOC.yml`` that lists every page (no orphans).
* ``includes/`` used by ``[!INCLUDE [title](./includes/x.md)]`` on every page, nested includes,
  includes that contribute headings (so anchors must be computed with includes expanded), inline
  "applies to" includes inside table cells, and per-service ``includes/`` folders.
* ``media/`` and ``services/<service>/media/`` with a modest, reused set of empty placeholder
  images (one with a space in its name, linked with ``<...>`` and with ``%20``), ``snippets/``
  for ``[!code-powershell[...](...)]``, ``docfx.json`` and a ``.openpublishing.redirection.json``
  with a few redirected legacy pages that some links still use.

Page bodies imitate the real docsets in ``/work/shared/corpora`` (iis-docs, well-architected):
about 4.6 KB per page on average (log-normal spread, a few large landing pages), headings at
levels 1-4 with repeats ("Troubleshooting" twice, "Symptoms"/"Cause"/"Resolution" per issue),
headings with ``&``, ``&amp;``, inline code, ``C\\#``, bold, a closing ``##`` and setext form;
paragraphs written one per line, bullet/numbered/nested lists, pipe tables (some with inline
includes in cells), fenced code blocks (some holding link-like decoys), ``> [!NOTE]`` alerts,
``:::image:::`` directives, ``<a name>`` anchors, HTML ``<a href>``/``<img>``, inline,
reference-style, root-relative (``~/``), ``?tabs=`` and ``#fragment`` links across folders,
external and site-absolute links, and HTML comments with dead links in them.

Every ``#fragment`` names an anchor that really exists: heading slugs are computed the way
DocFX/markdig (and playbooklint) compute them -- lower-case, keep letters, digits, ``-`` and
``_``, a space becomes ``-``, everything else dropped, repeats numbered ``-1``, ``-2`` across the
page with its includes expanded. Every phase list keeps the canonical order, every front matter
satisfies ``schemas/playbook-page.schema.json``. With ``--broken-rate 0`` the docset is clean
(``playbooklint check`` exits 0 with "No problems found"); with a positive rate a deterministic
fraction of the eligible links (page-to-page links in prose and list items, and images) is
broken -- to a missing page, a missing anchor or a missing image -- each producing exactly one
``link-broken`` or ``link-anchor-missing`` finding; ``--manifest`` writes where they are.

Why
===
A benchmark needs a large input that exercises every code path of the linter the way real
docsets do (link resolution across folders, anchors through includes, lifecycle lists, TOCs,
metadata validation) and that is identical on every run: ``random.Random(seed)`` only, no clock,
no hash-order iteration, files written in sorted order. Same arguments, byte-identical tree.
Standard library only; Python 3.10+.

Usage::

    python bench/generate.py OUT_DIR --pages 10000 [--seed 1] [--broken-rate 0.002]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import shutil
import sys
import time

from playbooklint.slug import slugify as _slugify
from playbooklint.slug import unique_slugs

MARKER = "playbooklint bench/generate.py"

# --------------------------------------------------------------------------------- vocabulary

PHASES = ("Presales", "Validation", "Engagement", "Assignment", "Initiate",
          "Assess", "Remediate", "Enable", "Migrate", "Success")

# (file, title, index of the first phase it lists, numbering style)
MODELS = (
    ("model-reactive.md", "Reactive Model", 2, "lazy"),
    ("model-proactive.md", "Proactive Model", 0, "consecutive"),
    ("model-re-engagement.md", "Re-engagement Model", 3, "own"),
    ("commercial-services-usage.md", "Commercial Services Monthly Active Usage (CSMAU) Model", 4, "lazy"),
    ("enterprise-deploy-fasttrack-on-site.md", "Enterprise/S400 Model", 1, "lazy"),
    ("service-specific.md", "Service Specific Models", 5, "consecutive"),
)

SERVICES = (
    ("exchange-online", "Exchange Online"), ("sharepoint-online", "SharePoint Online"),
    ("teams", "Microsoft Teams"), ("onedrive", "OneDrive"), ("intune", "Microsoft Intune"),
    ("entra-id", "Microsoft Entra ID"), ("defender-endpoint", "Microsoft Defender for Endpoint"),
    ("defender-office-365", "Microsoft Defender for Office 365"),
    ("defender-identity", "Microsoft Defender for Identity"),
    ("defender-cloud-apps", "Microsoft Defender for Cloud Apps"),
    ("purview-information-protection", "Microsoft Purview Information Protection"),
    ("purview-data-lifecycle", "Microsoft Purview Data Lifecycle Management"),
    ("purview-ediscovery", "Microsoft Purview eDiscovery"), ("viva-engage", "Viva Engage"),
    ("viva-connections", "Viva Connections"), ("windows-365", "Windows 365"),
    ("windows-autopilot", "Windows Autopilot"), ("microsoft-365-apps", "Microsoft 365 Apps"),
    ("power-platform", "Power Platform"), ("copilot", "Microsoft 365 Copilot"),
    ("project-online", "Project Online"), ("planner", "Microsoft Planner"),
    ("teams-rooms", "Microsoft Teams Rooms"), ("teams-phone", "Teams Phone"),
    ("exchange-hybrid", "Exchange Hybrid"), ("stream", "Microsoft Stream"),
    ("bookings", "Microsoft Bookings"), ("forms", "Microsoft Forms"),
)

FEATURES = (
    "conditional access", "mailbox migration", "retention policies", "device enrollment",
    "guest access", "sensitivity labels", "meeting policies", "hybrid identity", "DNS records",
    "mail flow rules", "external sharing", "data loss prevention", "app protection policies",
    "compliance baselines", "network readiness", "tenant-to-tenant migration",
    "multifactor authentication", "self-service password reset", "Autopilot profiles",
    "update rings", "co-management", "Known Folder Move", "hub sites", "direct routing",
    "audio conferencing", "calling plans", "information barriers", "audit logging",
    "eDiscovery holds", "alert policies", "Safe Links", "Safe Attachments",
    "anti-phishing policies", "attack surface reduction rules", "endpoint detection and response",
    "directory synchronization", "cloud sync", "pass-through authentication", "seamless SSO",
    "license assignment", "usage reports", "adoption campaigns", "champion programs",
    "service health", "message center", "shared mailboxes", "public folders", "site templates",
    "team templates", "channel policies", "app permission policies", "compliance policies",
    "security defaults", "privileged identity management", "access reviews", "coexistence",
    "cutover migration", "staged migration", "archive mailboxes", "quarantine policies",
)

ACTORS = (
    "The customer", "The FastTrack Manager (FM)", "The partner", "The FastTrack engineer",
    "The tenant admin", "The deployment team", "Each workload owner", "The project sponsor",
    "The change manager", "The service owner", "The help desk", "The security team",
    "The network team", "The adoption lead", "The migration engineer",
)
VERBS = (
    ("configures", "configure"), ("validates", "validate"), ("reviews", "review"),
    ("enables", "enable"), ("documents", "document"), ("assesses", "assess"), ("tests", "test"),
    ("monitors", "monitor"), ("plans", "plan"), ("schedules", "schedule"), ("updates", "update"),
    ("pilots", "pilot"), ("approves", "approve"), ("rolls out", "roll out"), ("tracks", "track"),
)
QUALIFIERS = (
    "before the migration starts", "during the Assess phase", "for every pilot user",
    "after the licenses are assigned", "in the Microsoft 365 admin center", "with PowerShell",
    "as described in the remediation plan", "with the help of the partner",
    "so that users aren't affected", "within five business days", "for each region",
    "before the go-live date", "at least two weeks before cutover", "for the first wave of users",
    "together with the customer's IT team", "from the admin portal", "in a test tenant first",
    "according to the customer's security baseline", "once the pilot is signed off",
)
CONDITIONS = (
    "the tenant uses a hybrid configuration", "users sign in from unmanaged devices",
    "the migration batch fails", "more than 500 users are in scope",
    "the customer has an existing third-party tool", "licenses aren't assigned yet",
    "the DNS records aren't verified", "a pilot group is defined",
    "the remediation plan is approved", "the source environment is on-premises",
    "the customer operates in more than one geography", "guest users need access",
)
STATES = (
    "enabled", "assigned to the pilot group", "documented in the project plan",
    "verified in the admin center", "approved by the customer", "tested with a pilot user",
    "turned off for guests", "configured for all users", "monitored daily",
)
AUDIENCE_WORDS = (
    "frontline workers", "information workers", "executives", "pilot users", "guest users",
    "administrators", "remote employees", "help desk staff",
)
CMDLETS = (
    "Connect-ExchangeOnline", "Get-Mailbox", "Set-Mailbox", "New-MoveRequest",
    "Get-MoveRequestStatistics", "Set-CsTeamsMeetingPolicy", "Grant-CsTeamsMessagingPolicy",
    "Set-SPOTenant", "Get-SPOSite", "Connect-MgGraph", "Get-MgUser", "Set-MgUserLicense",
    "Start-ADSyncSyncCycle", "Set-OrganizationConfig", "New-DlpCompliancePolicy",
    "Get-IntuneManagedDevice", "Install-Module", "Test-MigrationServerAvailability",
    "New-RetentionCompliancePolicy", "Get-AcceptedDomain", "Set-CsOnlineVoiceRoutingPolicy",
)
UI_ELEMENTS = (
    "Save", "Settings > Org settings", "Users > Active users", "Policies", "Apply",
    "Devices > Enroll devices", "Add a policy", "Review + create", "Security > Threat policies",
    "Teams apps > Permission policies", "Data lifecycle management", "Assign licenses",
)
LICENSES = (
    ("m365-e3", "Microsoft 365 E3"), ("m365-e5", "Microsoft 365 E5"),
    ("m365-business-premium", "Microsoft 365 Business Premium"), ("o365-e3", "Office 365 E3"),
    ("ems-e3", "Enterprise Mobility + Security E3"), ("ems-e5", "Enterprise Mobility + Security E5"),
    ("entra-id-p1", "Microsoft Entra ID P1"), ("entra-id-p2", "Microsoft Entra ID P2"),
    ("intune-plan-1", "Microsoft Intune Plan 1"), ("teams-premium", "Teams Premium"),
)
PROBLEMS = (
    "fails with an error", "doesn't apply to some users", "takes longer than expected",
    "isn't visible in the admin center", "stops after the first batch", "reports stale data",
    "blocks sign-in for guests", "shows a licensing warning",
)
ROOT_MEDIA = (
    "fasttrack-process-thumbnail.png", "phase-flow.png", "models-lifecycle.png",
    "adoption-continuum.png", "Service Map.png", "admin-center-home.png",
    "conditional-access-policy.png", "migration-batches.png", "network-assessment.png",
    "license-assignment.png", "pilot-rollout.png", "support-escalation.png",
    "roles-matrix.png", "tenant-readiness.png", "coexistence-diagram.png", "usage-report.png",
)
ICONS = ("media/icons/check.svg", "media/icons/trade-off.svg", "media/icons/warning.svg")
SERVICE_MEDIA = ("architecture.png", "admin-center.png", "settings-pane.png", "report.png", "flow.png")
SNIPPETS = {
    "snippets/connect-exchange.ps1": (
        "# Connect to Exchange Online\n"
        "Install-Module -Name ExchangeOnlineManagement -Scope CurrentUser\n"
        "Connect-ExchangeOnline -UserPrincipalName admin@contoso.onmicrosoft.com\n"
        "Get-OrganizationConfig | Format-List Name, IsDehydrated\n"),
    "snippets/assign-licenses.ps1": (
        "Connect-MgGraph -Scopes User.ReadWrite.All, Organization.Read.All\n"
        "$sku = Get-MgSubscribedSku -All | Where-Object SkuPartNumber -eq 'SPE_E3'\n"
        "Get-Content .\\users.txt | ForEach-Object {\n"
        "    Set-MgUserLicense -UserId $_ -AddLicenses @{SkuId = $sku.SkuId} -RemoveLicenses @()\n"
        "}\n"),
    "snippets/export-mailbox-stats.ps1": (
        "Get-Mailbox -ResultSize Unlimited |\n"
        "    Get-MailboxStatistics |\n"
        "    Select-Object DisplayName, ItemCount, TotalItemSize |\n"
        "    Export-Csv -Path .\\mailbox-stats.csv -NoTypeInformation\n"),
    "snippets/enroll-devices.ps1": (
        "Install-Script -Name Get-WindowsAutopilotInfo -Force\n"
        "Get-WindowsAutopilotInfo -OutputFile .\\autopilot-hashes.csv\n"),
    "snippets/retention-policy.json": (
        '{\n  "name": "Contoso - 7 year retention",\n  "retentionDuration": 2555,\n'
        '  "locations": ["Exchange", "SharePoint", "OneDrive"]\n}\n'),
}
SNIPPET_LANG = {".ps1": "powershell", ".json": "json"}
AUTHORS = (
    ("asmith", "asmith"), ("mareich", "mareich"), ("lgarcia", "lgarcia"), ("kchen", "kchen"),
    ("jdoe", "jdoe"), ("OlaKowalski", "olakow"), ("priya-n", "priyan"), ("tomasz-w", "tomaszw"),
    ("Ayodele-O", "ayodeleo"), ("ckittel", "chkittel"), ("r-lucero", "rlucero"), ("mkhan", "mkhan"),
)
MANAGERS = ("eduardod", "mkhan", "sbrandt")
AUDIENCES = ("partner", "internal", "customer")
LINK_SENTENCES = (
    "For more information, see {L}.", "See {L} for the detailed steps.",
    "Review {L} before you continue.", "The partner follows the guidance in {L}.",
    "{L} describes the remaining tasks.", "Related guidance is in {L}.",
    "If the issue persists, go to {L}.", "The FastTrack engineer uses {L} as the checklist.",
)
EXTERNAL_LINKS = (
    ("Microsoft 365 admin center", "https://admin.microsoft.com/"),
    ("FastTrack for Microsoft 365", "https://www.microsoft.com/fasttrack/microsoft-365"),
    ("Microsoft 365 network connectivity principles",
     "https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-network-connectivity-principles"),
    ("Microsoft 365 roadmap", "https://www.microsoft.com/microsoft-365/roadmap?filters=In%20development"),
    ("service descriptions", "/office365/servicedescriptions/office-365-service-descriptions-technet-library"),
    ("Microsoft Entra documentation", "/entra/identity/"),
    ("the FastTrack Process page", "https://microsoft.sharepoint.com/teams/ftccm/opsplaybook/SitePages/Home.aspx"),
    ("Microsoft Learn training", "https://learn.microsoft.com/training/m365/"),
)


# ------------------------------------------------------------------------------ small helpers

_SLUGS: dict[str, str] = {}


def slugify(text: str) -> str:
    """DocFX/markdig GitHub-style slug, playbooklint's own (memoised: headings repeat)."""
    slug = _SLUGS.get(text)
    if slug is None:
        slug = _SLUGS[text] = _slugify(text)
    return slug


def rel(from_folder: str, target: str) -> str:
    """``target`` (root-relative) as a relative link from a file in ``from_folder``."""
    if not from_folder:
        return target
    src = from_folder.split("/")
    dst = target.split("/")
    common = 0
    while common < len(src) and common < len(dst) - 1 and src[common] == dst[common]:
        common += 1
    return "../" * (len(src) - common) + "/".join(dst[common:])


def cap(text: str) -> str:
    """Upper-case the first letter, leaving names like ``eDiscovery`` alone."""
    if text[1:2].isupper():
        return text
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """``The FastTrack engineer`` -> ``the FastTrack engineer``."""
    return text[:1].lower() + text[1:]


def title_case(text: str) -> str:
    small = {"and", "or", "for", "in", "of", "the", "a", "to", "with", "on"}
    words = text.split(" ")
    return " ".join(w if (i and w in small) or not w[:1].islower() else cap(w) for i, w in enumerate(words))


_PLAIN_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()/.,'&?+-")


def yaml_scalar(text: str) -> str:
    """A YAML scalar for ``text``: plain when unambiguous, else double-quoted."""
    plain = (text and text[0].isalnum() and text[-1] not in " :" and set(text) <= _PLAIN_OK
             and ": " not in text and " #" not in text and text.lower() not in ("yes", "no", "true", "false", "null"))
    if plain:
        return text
    assert '"' not in text and "\\" not in text, text
    return f'"{text}"'


def heading_text(source: str) -> str:
    """Rendered text of the heading Markdown this generator writes (code, bold, escapes, entities)."""
    text = source.replace("`", "").replace("**", "").replace("\\#", "#").replace("&amp;", "&")
    text = text.strip()
    if text.endswith(" ##"):
        text = text[:-3]
    return text.strip()


# -------------------------------------------------------------------------------- the model

class Section:
    """One heading of a page and what its body is about."""

    __slots__ = ("level", "source", "text", "hint", "name", "include", "setext")

    def __init__(self, level: int, source: str, hint: str = "prose", name: str | None = None,
                 include: str | None = None, setext: bool = False) -> None:
        self.level = level
        self.source = source
        self.text = heading_text(source)
        self.hint = hint
        self.name = name
        """``<a name>`` written just above the heading."""
        self.include = include
        """Include file (key) written after the section's first paragraph."""
        self.setext = setext


class Page:
    __slots__ = ("path", "folder", "title", "kind", "service", "sections", "anchors", "names",
                 "target_size", "topic", "audience", "author", "date", "arg", "top_include",
                 "bottom_includes")

    def __init__(self, path: str, title: str, kind: str, service: str | None = None) -> None:
        self.path = path
        self.folder = path.rpartition("/")[0]
        self.title = title
        self.kind = kind
        self.service = service
        self.sections: list[Section] = []
        self.anchors: list[tuple[str, str]] = []
        """(final slug, heading text) of every heading, includes expanded."""
        self.names: list[str] = []
        """Explicit ``<a name>`` anchors."""
        self.target_size = 4000
        self.topic = "playbook"
        self.audience = "partner"
        self.author = AUTHORS[0]
        self.date = "1/1/2020"
        self.arg: object = None
        self.top_include = "questions-feedback"
        self.bottom_includes: list[str] = []


class Include:
    __slots__ = ("key", "path", "text", "events", "bom")

    def __init__(self, key: str, path: str, text: str, events: tuple = (), bom: bool = False) -> None:
        self.key = key
        self.path = path
        self.text = text
        self.events = events
        """("h", heading text) and ("inc", include key) in document order."""
        self.bom = bom


# ------------------------------------------------------------------------------ the generator

class Generator:
    def __init__(self, pages: int, seed: int, broken_rate: float) -> None:
        self.rng = random.Random(seed)
        self.brk = random.Random(seed * 1_000_003 + 17)
        self.broken_rate = broken_rate
        self.total_pages = pages
        self.files: dict[str, str] = {}
        self.pages: list[Page] = []
        self.includes: dict[str, Include] = {}
        self.planted: list[dict] = []
        self.planted_chars = 0
        """Characters the planted links added (kept out of the size arithmetic)."""
        self.redirects: list[tuple[str, str]] = []
        self.sentences = [self._sentence() for _ in range(3000)]
        n_services = min(len(SERVICES), max(1 if pages < 60 else 4, math.ceil(pages / 400)))
        self.services = list(SERVICES[:n_services])
        self.service_topics: dict[str, list[Page]] = {slug: [] for slug, _ in self.services}
        self.root_pages: list[Page] = []
        self.phase_pages: list[Page] = []
        self.service_index: dict[str, Page] = {}
        self.media = ["media/" + m for m in ROOT_MEDIA]
        self.service_media = {slug: [f"services/{slug}/media/{slug}-{m}" for m in SERVICE_MEDIA]
                              for slug, _ in self.services}
        self.date_base = datetime.date(2018, 1, 1).toordinal()
        self.date_span = datetime.date(2025, 6, 30).toordinal() - self.date_base

    # ---------------------------------------------------------------- text

    def _sentence(self) -> str:
        rng = self.rng
        kind = rng.randrange(12)
        feat = rng.choice(FEATURES)
        actor = rng.choice(ACTORS)
        v3, v1 = rng.choice(VERBS)
        if kind == 0:
            return f"{actor} {v3} {feat} {rng.choice(QUALIFIERS)}."
        if kind == 1:
            return f"If {rng.choice(CONDITIONS)}, {lower_first(actor)} {v3} {feat} first."
        if kind == 2:
            return f"Use **{rng.choice(UI_ELEMENTS)}** to {v1} {feat}."
        if kind == 3:
            return f"Run `{rng.choice(CMDLETS)}` to {v1} {feat} {rng.choice(QUALIFIERS)}."
        if kind == 4:
            return f"Make sure that {feat} is {rng.choice(STATES)} before you continue."
        if kind == 5:
            return f"{cap(feat)} applies to {rng.choice(AUDIENCE_WORDS)} and requires {rng.choice(LICENSES)[1]}."
        if kind == 6:
            a = rng.randint(1, 5)
            return f"This step usually takes {a} to {a + rng.randint(1, 9)} {rng.choice(('days', 'hours', 'weeks'))}."
        if kind == 7:
            return f"Don't {v1} {feat} until {rng.choice(CONDITIONS)}."
        if kind == 8:
            return f"For {rng.choice(AUDIENCE_WORDS)}, {feat} is {rng.choice(STATES)} by default."
        if kind == 9:
            other = rng.choice([a for a in ACTORS if a != actor])
            return f"{actor} and {lower_first(other)} agree on the scope of {feat} during the kickoff call."
        if kind == 10:
            return (f"Document any exception to {feat} in the remediation plan, and share it with "
                    f"{lower_first(rng.choice(ACTORS))} {rng.choice(QUALIFIERS)}.")
        return f"The *{feat}* setting can't be changed after {rng.choice(CONDITIONS)}."

    def text(self, n: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=n))

    def date(self) -> str:
        d = datetime.date.fromordinal(self.date_base + self.rng.randrange(self.date_span))
        if self.rng.random() < 0.15:
            return f"{d.month:02d}/{d.day:02d}/{d.year}"
        return f"{d.month}/{d.day}/{d.year}"

    # ---------------------------------------------------------------- planning

    def plan(self) -> None:
        self._plan_includes()
        self._plan_root()
        self._plan_services()
        for page in self.pages:
            self._compute_anchors(page)

    def _add(self, page: Page) -> Page:
        rng = self.rng
        page.author = rng.choice(AUTHORS)
        page.date = self.date()
        page.audience = rng.choice(AUDIENCES[:2]) if page.kind != "topic" else rng.choice(AUDIENCES)
        self.pages.append(page)
        return page

    def _plan_includes(self) -> None:
        def add(key: str, path: str, text: str, events: tuple = (), bom: bool = False) -> None:
            self.includes[key] = Include(key, path, text, events, bom)

        add("questions-feedback", "includes/questions-feedback.md",
            "> [!TIP]\n> Questions or feedback on this playbook? Contact the "
            "[playbook owners](../index.md#fasttrack-introduction).\n")
        add("phase-footer", "includes/phase-footer.md",
            "For the whole lifecycle, see [FastTrack Phases](../index.md#fasttrack-phases).\n")
        add("partner-note", "includes/partner-note.md",
            "> [!NOTE]\n> Partners follow the same steps; see the [engagement phase](../phase-engagement.md).\n\n"
            "[!INCLUDE [Feedback](./questions-feedback.md)]\n", (("inc", "questions-feedback"),), bom=True)
        add("escalation", "includes/escalation.md",
            "## Escalation & support\n\nIf a blocker can't be resolved within the engagement, the FastTrack "
            "Manager escalates it. See [Customer Lifecycle](../index.md#customer-lifecycle) for the owners of "
            "each step, and the [support escalation diagram](../media/support-escalation.png).\n\n"
            "- Open a request in the [FastTrack portal](https://fasttrack.microsoft.com/).\n"
            "- Record the escalation in the [remediation plan](../phase-remediate.md#exit-criteria).\n",
            (("h", "Escalation & support"),))
        for key, name in LICENSES:
            add(f"applies-{key}", f"includes/applies-to/{key}.md", f"{name}\n")
        for slug, display in self.services:
            add(f"{slug}-prereqs", f"services/{slug}/includes/{slug}-prereqs.md",
                f"Before you start, make sure the tenant has the licenses in the "
                f"[licensing reference](../../../licensing-reference.md#plans--licenses) and that the "
                f"[{display} overview](../index.md) has been reviewed with the customer.\n\n"
                f"![{display} architecture](../media/{slug}-architecture.png)\n")
            add(f"{slug}-support", f"services/{slug}/includes/{slug}-support.md",
                f"### Get help with {display}\n\nContact the FastTrack engineer assigned to {display}, or "
                f"open a request in the [FastTrack portal](https://fasttrack.microsoft.com/).\n\n"
                f"[!INCLUDE [Feedback](../../../includes/questions-feedback.md)]\n",
                (("h", f"Get help with {display}"), ("inc", "questions-feedback")))

    def _plan_root(self) -> None:
        rng = self.rng
        index = self._add(Page("index.md", "FastTrack Playbook", "index"))
        index.sections = [
            Section(1, "FastTrack Introduction", "index-intro"),
            Section(1, "FastTrack Models and Lifecycle", "index-lifecycle"),
            Section(2, "Engagement Models", "index-models"),
            Section(2, "Customer Lifecycle", "prose"),
            Section(2, "FastTrack Phases", "index-phases"),
            Section(3, "Adoption Planning", "index-adoption"),
            Section(2, "Services", "index-services"),
            Section(2, "Authoring notes", "index-authoring"),
        ]
        index.top_include = "questions-feedback"
        index.target_size = 9000
        self.index = index
        for number, name in enumerate(PHASES, start=1):
            page = self._add(Page(f"phase-{name.lower()}.md", f"{name} Phase", "phase"))
            page.arg = number - 1
            page.sections = [
                Section(2, "Entry criteria", "bullets"),
                Section(2, "Activities & outcomes", "prose"),
                Section(3, "Partner activities", "steps"),
                Section(3, "Customer activities", "bullets"),
                Section(2, rng.choice(("Roles & responsibilities", "Roles &amp; responsibilities")), "roles"),
                Section(2, "Exit criteria", "bullets"),
                Section(2, "Troubleshooting", "trouble"),
            ]
            page.bottom_includes = ["phase-footer"]
            page.target_size = rng.randint(4500, 7500)
            self.phase_pages.append(page)
            self.root_pages.append(page)
        for file, title, first, style in MODELS:
            page = self._add(Page(file, title, "model"))
            page.arg = (first, style)
            page.sections = [Section(2, "Phases in this model", "model-phases"),
                             Section(2, "When to use this model", "prose"),
                             Section(2, "Related", "model-related")]
            page.target_size = rng.randint(2500, 4500)
            self.root_pages.append(page)
        page = self._add(Page("adoption-continuum.md", "Adoption Continuum", "adoption"))
        page.top_include = None
        page.sections = [Section(2, "Champions program", "champions", name="champions"),
                         Section(2, "Adoption stages", "prose"), Section(2, "Measure adoption", "prose")]
        page.target_size = 4000
        self.root_pages.append(page)
        page = self._add(Page("licensing-reference.md", "Plans & licensing reference", "licensing"))
        page.sections = [Section(2, "Plans & licenses", "licenses"),
                         Section(2, "Partner-led services", "prose", include="partner-note"),
                         Section(2, "Licensing FAQ", "prose", include="escalation")]
        page.target_size = 5000
        self.root_pages.append(page)
        self.root_pages.insert(0, index)

    def _plan_services(self) -> None:
        fixed = len(self.pages) + len(self.services)
        topics = self.total_pages - fixed
        if topics < len(self.services):
            raise SystemExit(f"--pages must be at least {fixed + len(self.services)}")
        per, extra = divmod(topics, len(self.services))
        for number, (slug, display) in enumerate(self.services):
            index = self._add(Page(f"services/{slug}/index.md", f"{display} playbook", "service-index", slug))
            index.sections = [
                Section(2, "Overview", "service-overview", include=f"{slug}-prereqs"),
                Section(2, "Featured topics", "service-featured"),
                Section(2, "Topics by area", "service-areas"),
                Section(2, "Support", "prose", include=f"{slug}-support"),
            ]
            index.target_size = 6000
            index.topic = "conceptual"
            self.service_index[slug] = index
            count = per + (1 if number < extra else 0)
            for i in range(count):
                self._plan_topic(slug, display, i)
            for i in range(min(3, count)):  # legacy names that redirect to the current topic
                self.redirects.append((f"services/{slug}/legacy-topic-{i:03d}.md",
                                       f"/fasttrack/services/{slug}/topic-{i:03d}"))
        self.redirects.append(("phase-kickoff.md", "/fasttrack/phase-initiate"))

    def _plan_topic(self, slug: str, display: str, number: int) -> None:
        rng = self.rng
        kind = rng.choices(("howto", "trouble", "concept", "reference", "faq"), (40, 20, 20, 10, 10))[0]
        feat = rng.choice(FEATURES)
        verb = rng.choice(("Configure", "Plan", "Deploy", "Validate", "Migrate", "Monitor", "Secure",
                           "Roll out", "Enable", "Review"))
        if kind == "howto":
            title = rng.choice((f"{verb} {feat}", f"{verb} {feat} in {display}",
                                f"How to {verb.lower()} {feat} for {rng.choice(AUDIENCE_WORDS)}"))
        elif kind == "trouble":
            title = rng.choice((f"Troubleshoot {feat} issues", f"Troubleshoot {display} {feat}"))
        elif kind == "concept":
            title = rng.choice((f"Understand {feat} & {rng.choice(FEATURES)}", f"{cap(feat)} in {display}",
                                f"{cap(feat)} prerequisites and licensing"))
        elif kind == "reference":
            title = f"{display} {feat} reference"
        else:
            title = f"{display} {feat}: FAQ"
        title = cap(title)
        page = self._add(Page(f"services/{slug}/topic-{number:03d}.md", title, "topic", slug))
        page.topic = {"howto": "how-to", "trouble": "troubleshooting", "concept": "conceptual",
                      "reference": "reference", "faq": "faq"}[kind]
        size = int(rng.lognormvariate(math.log(2000), 0.7))
        page.target_size = max(1200, min(size, 45000))
        n = max(3, min(60, round((page.target_size - 400) / 500)))
        page.sections = self._skeleton(kind, n, feat, slug)
        if rng.random() < 0.25:
            page.sections[rng.randrange(1, len(page.sections))].include = "escalation"
        elif rng.random() < 0.2:
            page.sections[rng.randrange(len(page.sections))].include = f"{slug}-support"
        if rng.random() < 0.15:
            page.bottom_includes = ["partner-note"]
        elif rng.random() < 0.1:
            page.bottom_includes = [f"{slug}-prereqs"]
        for index, section in enumerate(page.sections):
            if section.name is None and not section.setext and rng.random() < 0.06:
                section.name = f"bkmk_{slugify(section.text.split(' ')[0]).strip('-_')}{index}"
        self.service_topics[slug].append(page)

    def _skeleton(self, kind: str, n: int, feat: str, slug: str) -> list[Section]:
        """Headings of a topic page: realistic, repeated, punctuated."""
        rng = self.rng
        out: list[Section] = []
        if kind == "howto":
            out.append(Section(2, rng.choice(("Overview", "Plan & prepare", "Plan &amp; prepare")), "prose"))
            out.append(Section(2, rng.choice(("Prerequisites", "Before you begin", "Prerequisites  ")), "bullets"))
            step = 1
            tail = 1 if n < 4 else 2 if n < 6 else 3
            while len(out) < n - tail:
                r = rng.random()
                f2 = rng.choice(FEATURES)
                if r < 0.55:
                    out.append(Section(2, f"Step {step}: {title_case('configure ' + f2)}", "steps"))
                    step += 1
                elif r < 0.7:
                    out.append(Section(3, f"Configure `{rng.choice(CMDLETS)}`", "code"))
                elif r < 0.8:
                    out.append(Section(3, f"Step {step} - Validate {f2} (optional)", "steps"))
                    step += 1
                elif r < 0.9:
                    out.append(Section(4, rng.choice(("Example", "Example ##", "Windows 10/11 devices",
                                                      ".NET & PowerShell samples")), "code"))
                else:
                    out.append(Section(2, "Applies to", "applies"))
            out.append(Section(2, "Troubleshooting", "trouble"))
            if tail > 1:
                out.append(Section(2, "Troubleshooting", "trouble"))
            if tail > 2:
                out.append(Section(2, rng.choice(("See also", "What's next?", "Next steps")), "related"))
        elif kind == "trouble":
            out.append(Section(2, "Overview", "prose"))
            while len(out) < n - 2:
                out.append(Section(2, f"Issue: {cap(rng.choice(FEATURES))} {rng.choice(PROBLEMS)}", "prose"))
                for name, hint in (("Symptoms", "prose"), ("Cause", "prose"), ("Resolution", "steps")):
                    if len(out) < n - 2:
                        out.append(Section(3, name, hint))
            out.append(Section(2, rng.choice(("Collect logs & diagnostics", "Collect logs &amp; diagnostics")),
                               "code"))
            out.append(Section(2, "More information", "related"))
        elif kind == "concept":
            other = rng.choice(FEATURES)
            pool = [Section(2, f"What is {feat}?", "prose"), Section(2, "Key concepts", "bullets"),
                    Section(2, f"How {feat} works", "prose"),
                    Section(2, f"{cap(feat)} & {other}", "table"),
                    Section(2, "Licensing: what's included", "applies"),
                    Section(3, "Windows 10/11 devices", "prose"), Section(2, "Best practices", "bullets"),
                    Section(2, "Limitations", "prose"), Section(2, "FastTrack phases for this work", "phases")]
            tail = 1 if n < 4 else 2 if n < 6 else 3
            out.extend(pool[: max(1, n - tail)])
            while len(out) < n - tail:
                out.append(Section(3, title_case(rng.choice(FEATURES)), rng.choice(("prose", "table", "bullets"))))
            if rng.random() < 0.3:
                out.insert(1, Section(2, "Overview", "prose", setext=True))
            out.append(Section(2, "Troubleshooting", "trouble"))
            if tail > 1:
                out.append(Section(2, "Troubleshooting", "trouble"))
            if tail > 2:
                out.append(Section(2, "Next steps", "related"))
        elif kind == "reference":
            out.append(Section(2, "Requirements", "applies"))
            while len(out) < n - 1:
                cmdlet = rng.choice(CMDLETS)
                out.append(Section(2, f"`{cmdlet}`", "prose"))
                for name, hint in (("Syntax", "code"), ("Parameters", "table"), ("Examples", "code"),
                                   ("C\\# sample", "code")):
                    if len(out) < n - 1 and (name != "C\\# sample" or rng.random() < 0.4):
                        out.append(Section(3, name, hint))
            out.append(Section(2, "See also", "related"))
        else:
            groups = ("General", "Licensing & billing", "Migration", "Security", "Troubleshooting")
            g = 0
            while len(out) < n:
                out.append(Section(2, groups[g % len(groups)], "prose"))
                g += 1
                for _ in range(rng.randint(1, 4)):
                    if len(out) < n:
                        q = rng.choice((f"How long does {rng.choice(FEATURES)} take?",
                                        f"Can we keep {rng.choice(FEATURES)} during the migration?",
                                        f"Who owns {rng.choice(FEATURES)}?",
                                        f"Is {rng.choice(FEATURES)} included in {rng.choice(LICENSES)[1]}?"))
                        out.append(Section(3, rng.choice(("Q: ", "**Q:** ")) + q, "prose"))
        if rng.random() < 0.3:
            out.insert(rng.randrange(1, len(out)), Section(2, "FastTrack phases for this work", "phases"))
        return out

    def _include_slugs(self, key: str, out: list[tuple[str, str]], depth: int = 0) -> None:
        for kind, value in self.includes[key].events:
            if kind == "h":
                out.append((slugify(value), value))
            elif depth < 16:
                self._include_slugs(value, out, depth + 1)

    def _compute_anchors(self, page: Page) -> None:
        raw: list[tuple[str, str]] = []
        if page.top_include:
            self._include_slugs(page.top_include, raw)
        raw.append((slugify(page.title), page.title))
        for section in page.sections:
            raw.append((slugify(section.text), section.text))
            if section.include:
                self._include_slugs(section.include, raw)
            if section.name:
                page.names.append(section.name)
        for key in page.bottom_includes:
            self._include_slugs(key, raw)
        final = unique_slugs([s for s, _ in raw])
        page.anchors = [(slug, text) for slug, (_, text) in zip(final, raw)]

    # ---------------------------------------------------------------- links

    def pick_target(self, page: Page, allow_phase: bool = True) -> Page:
        rng = self.rng
        r = rng.random()
        if page.service and r < 0.55:
            pool = self.service_topics[page.service]
        elif r < 0.87:
            slug = rng.choice(self.services)[0]
            pool = self.service_topics[slug]
        elif r < 0.93:
            pool = list(self.service_index.values())
        else:
            pool = self.root_pages if allow_phase else [p for p in self.root_pages if p.kind != "phase"]
        target = rng.choice(pool)
        if target is page and len(pool) > 1:
            target = pool[(pool.index(target) + 1) % len(pool)]
        return target

    def href(self, page: Page, target: Page) -> tuple[str, str | None, str]:
        """(href without fragment, fragment or None, link text)."""
        rng = self.rng
        r = rng.random()
        if r < 0.05:
            path = "~/" + target.path
        else:
            path = rel(page.folder, target.path)
            if path == "index.md" and target.kind == "service-index" and rng.random() < 0.3:
                path = "./"
            elif target.kind == "service-index" and path != "index.md" and rng.random() < 0.3:
                path = path[: -len("index.md")]
            elif rng.random() < 0.25 and not path.startswith("../"):
                path = "./" + path
        if rng.random() < 0.07:
            path += rng.choice(("?tabs=admin-center", "?tabs=powershell", "?view=o365-worldwide"))
        if rng.random() < 0.45 and len(target.anchors) > 1:
            if target.names and rng.random() < 0.15:
                name = rng.choice(target.names)
                return path, name, target.title
            slug, text = target.anchors[rng.randrange(1, len(target.anchors))]
            if rng.random() < 0.4 or text.lower().startswith(("next", "previous")):
                text = target.title
            return path, slug, text
        if rng.random() < 0.02:
            return path, rng.choice(("tab/admin-center", "tab/powershell")), target.title
        return path, None, target.title

    def xlink(self, page: Page, allow_phase: bool = True, plant: bool = True) -> str:
        """A Markdown link to another page (maybe deliberately broken)."""
        target = self.pick_target(page, allow_phase)
        path, fragment, text = self.href(page, target)
        rule = None
        clean = len(path) + (len(fragment) + 1 if fragment is not None else 0)
        if plant and self.broken_rate > 0:
            if self.brk.random() < self.broken_rate:
                path, fragment, rule = self._break(page, target, path, fragment)
        href = path + ("#" + fragment if fragment is not None else "")
        self.planted_chars += len(href) - clean
        link = f"[{text}]({href})"
        if rule:
            self.planted.append({"path": page.path, "snippet": link, "rule": rule, "target": href})
        return link

    def _break(self, page: Page, target: Page, path: str, fragment: str | None) -> tuple[str, str | None, str]:
        brk = self.brk
        if brk.random() < 0.5:
            base, q, query = path.partition("?")
            if base.endswith(".md"):
                base = base[:-3] + brk.choice(("-old", "-draft", "-v2")) + ".md"
            elif base.endswith("/") or base in ("", "./"):
                base = base + "overview-draft.md"
            else:
                base = base + "-draft.md"
            return base + q + query, fragment, "link-broken"
        existing = {s for s, _ in target.anchors} | set(target.names) | {"top"}
        if fragment and not fragment.startswith("tab/"):
            candidates = (fragment + "-old", fragment.replace("-", "", 1) + "x", "removed-" + fragment)
        else:
            candidates = (slugify(target.title) + "-old", "removed-section", "step-99-retired")
        for wrong in candidates:
            if wrong not in existing:
                return path, wrong, "link-anchor-missing"
        return path, "removed-section-" + str(brk.randrange(10**6)), "link-anchor-missing"

    def image_path(self, page: Page) -> str:
        rng = self.rng
        if page.service and rng.random() < 0.5:
            target = rng.choice(self.service_media[page.service])
        else:
            target = rng.choice(self.media)
            if target == "media/Service Map.png":
                return rel(page.folder, "media/") + rng.choice(("Service%20Map.png", "Service Map.png"))
        return rel(page.folder, target)

    def image(self, page: Page, indent: str = "") -> str:
        rng = self.rng
        src = self.image_path(page)
        alt = f"Screenshot of the {rng.choice(FEATURES)} settings in the admin center."
        r = rng.random()
        if " " in src:
            return f"{indent}![{alt}](<{src}>)"
        if r < 0.35:
            return f'{indent}:::image type="content" source="{src}" alt-text="{alt}":::'
        if r < 0.5:
            big = self.image_path(page).replace(" ", "%20")
            return f'{indent}:::image type="content" source="{src}" alt-text="{alt}" lightbox="{big}":::'
        if r < 0.65:
            big = self.image_path(page).replace(" ", "%20")
            return f"{indent}[![{alt}]({src})]({big})"
        if r < 0.75:
            return f'{indent}<img src="{src}" alt="{alt}">'
        if self.broken_rate > 0 and self.brk.random() < self.broken_rate:
            stem, dot, ext = src.rpartition(".")
            src = f"{stem}-old{dot}{ext}"
            self.planted_chars += len("-old")
            snippet = f"![{alt}]({src})"
            self.planted.append({"path": page.path, "snippet": snippet, "rule": "link-broken", "target": src})
            return indent + snippet
        return f"{indent}![{alt}]({src})"

    def include_line(self, page: Page, key: str, title: str | None = None) -> str:
        inc = self.includes[key]
        path = rel(page.folder, inc.path)
        if not page.folder and self.rng.random() < 0.5:
            path = "./" + path
        elif self.rng.random() < 0.05:
            path = "~/" + inc.path
        title = title or title_case(key.replace("-", " "))
        return f"[!INCLUDE [{title}]({path})]"

    # ---------------------------------------------------------------- blocks

    def paragraph(self, page: Page, links: int = 1, allow_phase: bool = True) -> str:
        rng = self.rng
        parts = rng.choices(self.sentences, k=rng.randint(1, 4))
        for _ in range(links):
            sentence = rng.choice(LINK_SENTENCES).replace("{L}", self.xlink(page, allow_phase))
            parts.insert(rng.randrange(len(parts) + 1), sentence)
        r = rng.random()
        if r < 0.22:
            label, url = rng.choice(EXTERNAL_LINKS)
            parts.append(f"See also [{label}]({url}).")
        elif r < 0.25:
            target = self.pick_target(page, allow_phase)
            path, fragment, text = self.href(page, target)
            parts.append(f'Open <a href="{path}{"#" + fragment if fragment else ""}">{text}</a> in a new tab.')
        elif r < 0.26:
            parts.append("Questions? Write to [the FastTrack team](mailto:fasttrack@example.com).")
        return " ".join(parts)

    def bullets(self, page: Page, lines: list[str], indent: str = "") -> None:
        rng = self.rng
        marker = rng.choice(("-", "-", "*"))
        for _ in range(rng.randint(2, 5)):
            r = rng.random()
            if r < 0.3:
                item = f"{rng.choice(('See', 'Review', 'Read'))} {self.xlink(page, allow_phase=False)}."
            elif r < 0.45:
                label, url = rng.choice(EXTERNAL_LINKS)
                item = f"[{label}]({url})"
            else:
                item = self.text(1)
            lines.append(f"{indent}{marker} {item}")
            if rng.random() < 0.1:
                for _ in range(rng.randint(1, 3)):
                    lines.append(f"{indent}  {marker} {self.text(1)}")
        lines.append("")

    def steps(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        lazy = rng.random() < 0.5
        for number in range(1, rng.randint(3, 5) + 1):
            prefix = "1." if lazy else f"{number}."
            pad = " " * (len(prefix) + 1)
            r = rng.random()
            if r < 0.2:
                body = f"{self.text(1)} {rng.choice(LINK_SENTENCES).replace('{L}', self.xlink(page, False))}"
            elif r < 0.5:
                body = f"Select **{rng.choice(UI_ELEMENTS)}**, and then {rng.choice(VERBS)[1]} {rng.choice(FEATURES)}."
            else:
                body = self.text(rng.randint(1, 2))
            lines.append(f"{prefix} {body}")
            r = rng.random()
            if r < 0.2:
                lines.append("")
                lines.append(self.image(page, pad))
                lines.append("")
            elif r < 0.3:
                lines.append("")
                lines.append(f"{pad}```powershell")
                lines.append(f"{pad}{rng.choice(CMDLETS)} -Identity \"{rng.choice(('jdoe', 'pilot-users', 'contoso'))}\"")
                lines.append(f"{pad}```")
                lines.append("")
            elif r < 0.38:
                for _ in range(rng.randint(2, 3)):
                    lines.append(f"{pad}- {self.text(1)}")
        lines.append("")

    def table(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        lines.append(rng.choice(("| Setting | Value | Notes |", "|Setting|Recommended value|Notes|")))
        lines.append(rng.choice(("|---|---|---|", "|:--|:--|:--|", "| --- | --- | --- |")))
        for _ in range(rng.randint(2, 5)):
            feat = title_case(rng.choice(FEATURES))
            value = rng.choice(("On", "Off", "Enabled for pilot users", "`$true`", "`Unlimited`", "90 days",
                                "Block", "Audit only"))
            r = rng.random()
            if r < 0.15:
                note = f"See {self.xlink(page, allow_phase=False)}."
            elif r < 0.25:
                note = f"Requires {self.include_line(page, 'applies-' + rng.choice(LICENSES)[0])}"
            elif r < 0.45:
                note = f"{self.text(1)}<br/>Default: **Off**"
            else:
                note = self.text(1)
            lines.append(f"| **{feat}** | {value} | {note} |")
        lines.append("")

    def applies(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        lines.append("| Plan | Availability |")
        lines.append("|---|---|")
        for key, _name in rng.sample(LICENSES, rng.randint(2, 5)):
            inc = self.include_line(page, "applies-" + key, key.replace("-", ""))
            inc = inc.replace("[!INCLUDE [", "[!INCLUDE[")
            lines.append(f"| {inc} | {rng.choice(('Included', 'Add-on', 'Included (Plan 2 features)'))} |")
        lines.append("")

    def code(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            fence = "```"
            lines.append(rng.choice(("```powershell", "```PowerShell", "```azurepowershell")))
            for _ in range(rng.randint(2, 5)):
                cmd = rng.choice(CMDLETS)
                lines.append(f'{cmd} -Identity "{rng.choice(("jdoe@contoso.com", "Pilot Users", "contoso"))}"'
                             f' -ErrorAction Stop | Format-List')
        elif r < 0.55:
            fence = "```"
            lines.append("```json")
            lines.append("{")
            lines.append(f'  "displayName": "{title_case(rng.choice(FEATURES))}",')
            lines.append('  "state": "enabledForReportingButNotEnforced",')
            lines.append('  "documentation": "./not-a-link.md#not-an-anchor"')
            lines.append("}")
        elif r < 0.7:
            fence = "```"
            lines.append("```xml")
            lines.append('<configuration>')
            lines.append(f'  <policy name="{slugify(rng.choice(FEATURES))}" enabled="true" />')
            lines.append('  <a href="../missing/page.html">not a link: this is code</a>')
            lines.append('</configuration>')
        elif r < 0.85:
            fence = rng.choice(("```", "~~~"))
            lines.append(fence + "markdown")
            lines.append("[Old guidance](./retired-topic.md#removed-heading)")
            lines.append("![Old diagram](../media/removed-diagram.png)")
            lines.append("[!INCLUDE [Old banner](../includes/removed-banner.md)]")
        elif r < 0.93:
            fence = "```"
            lines.append("```console")
            lines.append(f"PS C:\\> {rng.choice(CMDLETS)}")
            lines.append(f"Name    : {title_case(rng.choice(FEATURES))}")
            lines.append("Status  : Completed")
        else:
            snippet = rng.choice(sorted(SNIPPETS))
            lang = SNIPPET_LANG[os.path.splitext(snippet)[1]]
            query = rng.choice(("", "", "?range=1-3", "?highlight=2"))
            lines.append(f"[!code-{lang}[Main]({rel(page.folder, snippet)}{query})]")
            lines.append("")
            return
        lines.append(fence)
        lines.append("")

    def alert(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        lines.append(f"> [!{rng.choice(('NOTE', 'NOTE', 'TIP', 'IMPORTANT', 'WARNING', 'CAUTION'))}]")
        body = self.text(rng.randint(1, 2))
        if rng.random() < 0.25:
            body += " " + rng.choice(LINK_SENTENCES).replace("{L}", self.xlink(page))
        lines.append("> " + body)
        if rng.random() < 0.2:
            lines.append(">")
            lines.append("> " + self.text(1))
        lines.append("")

    def related(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        for _ in range(rng.randint(2, 5)):
            lines.append(f"- {self.xlink(page, allow_phase=False)}")
        if rng.random() < 0.3:
            label, url = rng.choice(EXTERNAL_LINKS)
            lines.append(f"- [{label}]({url})")
        if rng.random() < 0.1:
            redirect = rng.choice(self.redirects)[0]
            lines.append(f"- [Earlier version of this guidance]({rel(page.folder, redirect)})")
        lines.append("")

    def phases_list(self, page: Page, lines: list[str]) -> None:
        rng = self.rng
        chosen = sorted(rng.sample(range(len(PHASES)), rng.randint(2, 4)))
        lines.append("This work happens during these phases:")
        lines.append("")
        for position in chosen:
            target = self.phase_pages[position]
            path = rel(page.folder, target.path)
            if rng.random() < 0.3 and len(target.anchors) > 1:
                path += "#" + rng.choice(target.anchors[1:])[0]
            lines.append(f"- [{PHASES[position]}]({path})")
        lines.append("")

    def refs_paragraph(self, page: Page, refs: list[str]) -> str:
        rng = self.rng
        target = self.pick_target(page)
        path, fragment, text = self.href(page, target)
        label = f"ref{len(refs) + 1}"
        title = f' "{target.title}"' if rng.random() < 0.3 else ""
        refs.append(f"[{label}]: {path}{'#' + fragment if fragment else ''}{title}")
        return f"{self.text(rng.randint(1, 3))} Use the [reference guidance][{label}] for details."

    # ---------------------------------------------------------------- pages

    def front_matter(self, page: Page) -> list[str]:
        rng = self.rng
        author, alias = page.author
        if page.kind == "topic":
            description = rng.choice((
                f"{page.title}: guidance for FastTrack partners working on {dict(self.services)[page.service]}.",
                f"Learn how FastTrack partners and customers handle {page.title[0].lower() + page.title[1:]}.",
            ))
        else:
            description = f"{page.title} guidance for FastTrack partners"
        lines = ["---"]
        if rng.random() < 0.7:
            lines.append("# required metadata")
        lines += [
            f"title: {yaml_scalar(page.title)}",
            f"description: {yaml_scalar(description)}",
            f"author: {author}",
            f"ms.author: {alias}",
            f"manager: {rng.choice(MANAGERS)}",
            f"ms.date: {page.date}",
            f"ms.topic: {page.topic}",
            "ms.prod: non-product-specific",
        ]
        if page.service:
            lines.append(f"ms.service: {page.service}")
        if rng.random() < 0.2:
            lines += ["ms.custom:", "  - internal-playbook", f"  - fasttrack-{page.date[-4:]}"]
        else:
            lines.append("ms.custom: internal-playbook")
        if rng.random() < 0.3:
            lines.append("ms.localizationpriority: medium")
        lines += [f"ft.audience: {page.audience}", f"ft.owner: {alias}", "---"]
        return lines

    def render(self, page: Page) -> str:
        rng = self.rng
        lines = self.front_matter(page)
        if page.top_include:
            lines.append(self.include_line(page, page.top_include, "Playbook Feedback"))
        lines.append(f"# {page.title}")
        lines.append("")
        refs: list[str] = []
        if page.kind == "topic" and rng.random() < 0.3:
            lines.append(f"{rng.choice(('by', 'Author:'))} [{page.author[0]}](https://github.com/{page.author[0]})")
            lines.append("")
        if page.kind in ("topic", "phase", "model", "service-index"):
            lines.append(self.intro(page))
            lines.append("")
        budget = max(150, (page.target_size - 400) // max(1, len(page.sections)))
        for section in page.sections:
            self.section(page, section, lines, budget, refs)
        for key in page.bottom_includes:
            lines.append(self.include_line(page, key))
            lines.append("")
        if page.kind == "phase":
            position = page.arg
            nav = []
            if position > 0:
                nav.append(f"[Previous: {PHASES[position - 1]}](./{self.phase_pages[position - 1].path})")
            if position < len(PHASES) - 1:
                nav.append(f"[Next: {PHASES[position + 1]}](./{self.phase_pages[position + 1].path})")
            lines.append(" | ".join(nav))
            lines.append("")
        elif page.kind == "topic":
            phase = rng.choice(PHASES)
            top = rng.choice(("#top", "#" + page.anchors[min(2, len(page.anchors) - 1)][0]))
            lines.append(f"Back to [{phase}]({rel(page.folder, f'phase-{phase.lower()}.md')}) or [top]({top}).")
            lines.append("")
            if rng.random() < 0.1:
                lines.append("<!-- TODO: link the [retired checklist](./retired-checklist.md) once it is back -->")
                lines.append("")
        if refs:
            lines.extend(refs)
            lines.append("")
        return "\n".join(lines)

    def intro(self, page: Page) -> str:
        if page.kind == "phase":
            return (f"The {PHASES[page.arg].lower()} phase is step {page.arg + 1} of the FastTrack lifecycle. "
                    + self.text(2))
        if page.kind == "model":
            return f"The {page.title} describes how FastTrack engages a customer. " + self.text(2)
        return self.text(self.rng.randint(1, 3))

    def section(self, page: Page, section: Section, lines: list[str], budget: int, refs: list[str]) -> None:
        rng = self.rng
        if section.name:
            lines.append(f'<a name="{section.name}"></a>')
        if section.setext:
            lines.append(section.source)
            lines.append("-" * max(3, len(section.source)))
        else:
            lines.append(f"{'#' * section.level} {section.source}")
        lines.append("")
        mark, planted_at_start = len(lines), self.planted_chars
        hint = section.hint
        special = getattr(self, "hint_" + hint.replace("-", "_"), None)
        if special is not None:
            special(page, section, lines)
        else:
            if hint == "prose" or rng.random() < 0.6:
                lines.append(self.paragraph(page, links=1 if rng.random() < 0.45 else 0))
                lines.append("")
            if hint == "bullets":
                self.bullets(page, lines)
            elif hint == "steps":
                self.steps(page, lines)
            elif hint == "table":
                self.table(page, lines)
            elif hint == "applies":
                self.applies(page, lines)
            elif hint == "code":
                self.code(page, lines)
            elif hint == "trouble":
                self.alert(page, lines)
                self.table(page, lines)
            elif hint == "related":
                self.related(page, lines)
            elif hint == "phases":
                self.phases_list(page, lines)
        if section.include:
            lines.append(self.include_line(page, section.include))
            lines.append("")
        # sizes are measured as if no link were broken, so that the clean and the broken docset
        # of one seed differ only in the planted links
        size = sum(len(line) + 1 for line in lines[mark:]) - (self.planted_chars - planted_at_start)
        blocks = 0
        while size < budget and blocks < 14 and page.kind not in ("index", "model"):
            r = rng.random()
            before, planted_before = len(lines), self.planted_chars
            if r < 0.42:
                lines.append(self.paragraph(page, links=rng.choice((0, 0, 1, 1, 2))))
                lines.append("")
            elif r < 0.52:
                self.bullets(page, lines)
            elif r < 0.6:
                self.table(page, lines)
            elif r < 0.67:
                self.code(page, lines)
            elif r < 0.75:
                self.alert(page, lines)
            elif r < 0.85:
                lines.append(self.image(page))
                lines.append("")
            elif r < 0.92:
                self.steps(page, lines)
            else:
                lines.append(self.refs_paragraph(page, refs))
                lines.append("")
            size += sum(len(line) + 1 for line in lines[before:]) - (self.planted_chars - planted_before)
            blocks += 1

    # --- special sections of the root pages

    def hint_index_intro(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("FastTrack helps organizations and their partners deploy and adopt Microsoft 365. "
                     + self.text(3))
        lines.append("")

    def hint_index_lifecycle(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("*FastTrack Models and Lifecycle - Summary*")
        lines.append("")
        lines.append("[![FastTrack Models and Lifecycle](media/models-lifecycle.png)](media/models-lifecycle.png)")
        lines.append("")
        lines.append("For a more detailed and interactive view, please visit the [FastTrack Process\n"
                     "page](https://microsoft.sharepoint.com/teams/ftccm/opsplaybook/SitePages/Home.aspx).")
        lines.append("")

    def hint_index_models(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("> [!NOTE]")
        lines.append("> It is possible that a customer may engage in multiple models during their lifecycle.")
        lines.append("")
        for file, title, _first, _style in MODELS:
            lines.append(f"-   [{title}](./{file})")
            lines.append("")

    def hint_index_phases(self, page: Page, section: Section, lines: list[str]) -> None:
        for number, name in enumerate(PHASES, start=1):
            lines.append(f"{number}.  [{name}](./phase-{name.lower()}.md)")
            lines.append("")

    def hint_index_adoption(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("FastTrack provides various adoption services.")
        lines.append("")
        lines.append("[Adoption Continuum](./adoption-continuum.md) and the "
                     "[Plans & licensing reference](./licensing-reference.md#plans--licenses).")
        lines.append("")

    def hint_index_services(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("Each service has its own playbook section:")
        lines.append("")
        for slug, display in self.services:
            lines.append(f"- [{display}](services/{slug}/index.md) ({len(self.service_topics[slug])} topics)")
        lines.append("")

    def hint_index_authoring(self, page: Page, section: Section, lines: list[str]) -> None:
        lines += ["```markdown", "[not a link](./does-not-exist.md)", "```", "",
                  "Write links as `[text](./missing-page.md)` in source.", "",
                  "<!-- [commented out](./old-page.md) -->", "",
                  "Reach the team at [mail](mailto:fasttrack@example.com) or "
                  "[the portal](https://fasttrack.microsoft.com/).", ""]

    def hint_roles(self, page: Page, section: Section, lines: list[str]) -> None:
        rng = self.rng
        lines.append("| Role | Responsibility |")
        lines.append("|---|---|")
        for actor in rng.sample(ACTORS, 5):
            lines.append(f"| {actor[4:] if actor.startswith('The ') else actor} | "
                         f"{cap(rng.choice(VERBS)[1])} {rng.choice(FEATURES)} {rng.choice(QUALIFIERS)}. |")
        lines.append("")
        lines.append(self.image(page))
        lines.append("")

    def hint_model_phases(self, page: Page, section: Section, lines: list[str]) -> None:
        first, style = page.arg
        for offset, position in enumerate(range(first, len(PHASES))):
            if style == "lazy":
                number = 1
            elif style == "consecutive":
                number = offset + 1
            else:
                number = position + 1
            name = PHASES[position]
            lines.append(f"{number}. [{name}](./phase-{name.lower()}.md)")
        lines.append("")

    def hint_model_related(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("See the [lifecycle diagram](./index.md#fasttrack-models-and-lifecycle).")
        lines.append("")
        lines.append(self.paragraph(page, links=2))
        lines.append("")

    def hint_champions(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append(':::image type="content" source="media/adoption-continuum.png" alt-text="The adoption continuum.":::')
        lines.append("")
        lines.append("Champions lead adoption.")
        lines.append("")
        lines.append("See [champions](#champions) and the [phase flow](media/phase-flow.png).")
        lines.append("")
        lines.append("Also see the [service map](<media/Service Map.png>) and [encoded map](media/Service%20Map.png).")
        lines.append("")
        lines.append(f':::image type="icon" source="{ICONS[0]}" border="false"::: **Tip.** ' + self.text(2))
        lines.append("")

    def hint_licenses(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append("| Plan | Included in | Notes |")
        lines.append("|---|---|---|")
        for key, name in LICENSES:
            inc = f"[!INCLUDE[{key}](./includes/applies-to/{key}.md)]"
            lines.append(f"| {name} | {inc} | {self.text(1)} |")
        lines.append("")

    def hint_service_overview(self, page: Page, section: Section, lines: list[str]) -> None:
        lines.append(self.paragraph(page, links=1))
        lines.append("")
        lines.append(f':::image type="content" source="media/{page.service}-architecture.png" '
                     f'alt-text="{dict(self.services)[page.service]} architecture.":::')
        lines.append("")

    def hint_service_featured(self, page: Page, section: Section, lines: list[str]) -> None:
        rng = self.rng
        topics = self.service_topics[page.service]
        for topic in rng.sample(topics, min(15, len(topics))):
            lines.append(f"- [{topic.title}](./{topic.path.rpartition('/')[2]})")
        lines.append("")

    def hint_service_areas(self, page: Page, section: Section, lines: list[str]) -> None:
        topics = self.service_topics[page.service]
        lines.append("| Area | Start here | Topics |")
        lines.append("|---|---|---|")
        for area, chunk in self.areas(topics):
            lines.append(f"| {area} | [{chunk[0].title}]({chunk[0].path.rpartition('/')[2]}) | {len(chunk)} |")
        lines.append("")

    @staticmethod
    def areas(topics: list[Page]) -> list[tuple[str, list[Page]]]:
        names = ("Plan", "Deploy", "Migrate", "Manage", "Secure", "Troubleshoot")
        size = max(1, math.ceil(len(topics) / len(names)))
        return [(names[i // size], topics[i: i + size]) for i in range(0, len(topics), size)]

    # ---------------------------------------------------------------- TOCs and the rest

    def tocs(self) -> None:
        out = ["- name: FastTrack Playbook", "  href: index.md", "- name: Engagement models", "  items:"]
        for file, title, _first, _style in MODELS:
            out += [f"  - name: {yaml_scalar(title)}", f"    href: {file}"]
        out += ["- name: Phases", "  items:"]
        for name in PHASES:
            out += [f"  - name: {name}", f"    href: phase-{name.lower()}.md"]
        out += ["- name: Adoption Continuum", "  href: adoption-continuum.md",
                f"- name: {yaml_scalar('Plans & licensing reference')}", "  href: licensing-reference.md",
                "- name: Services", "  items:"]
        for slug, display in self.services:
            out += [f"  - name: {yaml_scalar(display)}", f"    href: services/{slug}/index.md", "    items:"]
            for topic in self.service_topics[slug]:
                out += [f"    - name: {yaml_scalar(topic.title)}", f"      href: {topic.path}"]
            local = [f"- name: {yaml_scalar(display)}", "  href: index.md"]
            for area, chunk in self.areas(self.service_topics[slug]):
                local += [f"- name: {area}", "  items:"]
                for topic in chunk:
                    local += [f"  - name: {yaml_scalar(topic.title)}", f"    href: {topic.path.rpartition('/')[2]}"]
            self.files[f"services/{slug}/TOC.yml"] = "\n".join(local) + "\n"
        self.files["TOC.yml"] = "\n".join(out) + "\n"

    def extras(self) -> None:
        docfx = {
            "x-generated-by": MARKER,
            "build": {
                "content": [{"files": ["**/*.md", "**/toc.yml", "**/TOC.yml"],
                             "exclude": ["**/obj/**", "**/includes/**", "README.md"]}],
                "resource": [{"files": ["**/*.png", "**/*.svg", "snippets/**"], "exclude": ["**/obj/**"]}],
                "globalMetadata": {"titleSuffix": "FastTrack Playbook", "feedback_system": "None",
                                   "ms.prod": "non-product-specific"},
                "fileMetadata": {"ms.service": {f"services/{slug}/**": slug for slug, _ in self.services}},
                "dest": "_site",
            },
        }
        self.files["docfx.json"] = json.dumps(docfx, indent=2) + "\n"
        redirections = [{"source_path": source, "redirect_url": url, "redirect_document_id": False}
                        for source, url in self.redirects]
        self.files[".openpublishing.redirection.json"] = (
            "// Pages renamed when the playbook moved to services/ folders.\n"
            + json.dumps({"redirections": redirections}, indent=2) + "\n")
        for path, text in SNIPPETS.items():
            self.files[path] = text
        for key in sorted(self.includes):
            inc = self.includes[key]
            self.files[inc.path] = ("\ufeff" if inc.bom else "") + inc.text
        for path in self.media + [m for slug, _ in self.services for m in self.service_media[slug]] + list(ICONS):
            self.files[path] = ""

    def run(self) -> None:
        self.plan()
        for page in self.pages:
            start = len(self.planted)
            text = self.render(page)
            self.files[page.path] = text
            if len(self.planted) > start:
                self._locate(text, self.planted[start:])
        self.tocs()
        self.extras()

    @staticmethod
    def _locate(text: str, planted: list[dict]) -> None:
        """Line and column of each planted link (where playbooklint reports it)."""
        lines = text.split("\n")
        used: set[tuple[int, int]] = set()
        for record in planted:
            snippet = record.pop("snippet")
            for number, line in enumerate(lines, start=1):
                col = line.find(snippet)
                while col >= 0 and (number, col) in used:
                    col = line.find(snippet, col + 1)
                if col >= 0:
                    used.add((number, col))
                    record["line"], record["column"] = number, col + 1
                    break


# --------------------------------------------------------------------------------------- CLI

def prepare_output(out: str, force: bool) -> None:
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise SystemExit(f"error: {out} exists and is not a folder")
        if os.listdir(out):
            marker = os.path.join(out, "docfx.json")
            generated = False
            if os.path.isfile(marker):
                with open(marker, encoding="utf-8") as handle:
                    generated = MARKER in handle.read()
            if not force:
                raise SystemExit(f"error: {out} is not empty; pass --force to replace a docset generated earlier")
            if not generated:
                raise SystemExit(f"error: {out} is not empty and was not made by this generator; not touching it")
            shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)


def write_tree(out: str, files: dict[str, str]) -> tuple[int, int]:
    """Write every file (sorted, UTF-8, ``\\n``); return (page bytes, total bytes)."""
    made: set[str] = set()
    total = pages = 0
    for path in sorted(files):
        folder = os.path.dirname(path)
        if folder and folder not in made:
            os.makedirs(os.path.join(out, folder), exist_ok=True)
            made.add(folder)
        data = files[path].encode("utf-8")
        with open(os.path.join(out, path), "wb") as handle:
            handle.write(data)
        total += len(data)
        if path.endswith(".md") and "/includes/" not in "/" + path:
            pages += len(data)
    return pages, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Write a deterministic, realistic DocFX playbook docset (modelled on "
                    "examples/fasttrack-playbook and the real docsets in /work/shared/corpora) for "
                    "benchmarking playbooklint. Same arguments, byte-identical tree.",
    )
    parser.add_argument("out", metavar="OUT_DIR", help="folder to write (must be empty, or use --force)")
    parser.add_argument("--pages", type=int, default=10000,
                        help="number of Markdown pages, include files not counted (default 10000, minimum 25)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--broken-rate", type=float, default=0.002,
                        help="fraction of eligible links and images made broken (missing page, anchor or image); "
                             "0 gives a clean docset (default 0.002)")
    parser.add_argument("--manifest", metavar="FILE",
                        help="write the planted broken links (path, line, column, rule, target) as JSON here")
    parser.add_argument("--force", action="store_true",
                        help="replace OUT_DIR if it holds a docset generated earlier by this script")
    args = parser.parse_args(argv)
    if args.pages < 25:
        parser.error("--pages must be at least 25")
    if not 0 <= args.broken_rate <= 1:
        parser.error("--broken-rate must be between 0 and 1")

    started = time.perf_counter()
    prepare_output(args.out, args.force)
    generator = Generator(args.pages, args.seed, args.broken_rate)
    generator.run()
    page_bytes, total_bytes = write_tree(args.out, generator.files)
    elapsed = time.perf_counter() - started

    n_pages = len(generator.pages)
    n_includes = len(generator.includes)
    planted = generator.planted
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as handle:
            json.dump(planted, handle, indent=1, sort_keys=True)
            handle.write("\n")
    by_rule: dict[str, int] = {}
    for record in planted:
        by_rule[record["rule"]] = by_rule.get(record["rule"], 0) + 1
    print(f"wrote {n_pages:,} pages, {n_includes} include files, {len(generator.files) - n_pages - n_includes} "
          f"other files ({len(generator.services)} service{'s' if len(generator.services) != 1 else ''}) to {args.out}")
    print(f"pages: {page_bytes / 1e6:.1f} MB, average {page_bytes / n_pages / 1000:.2f} KB per page; "
          f"whole tree {total_bytes / 1e6:.1f} MB")
    detail = ", ".join(f"{count} {rule}" for rule, count in sorted(by_rule.items()))
    print(f"planted {len(planted)} broken links" + (f" ({detail})" if detail else ""))
    print(f"done in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
