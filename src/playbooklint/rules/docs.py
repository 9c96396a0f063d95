"""Where each rule's documentation lives on the web: one page, ``docs/rules.md``, made from the
rules' own documentation (what ``playbooklint explain`` prints), one section per rule.

Editors (the language server's ``codeDescription``) and SARIF (``helpUri``) link each finding to
its rule's section. After adding a rule or editing a rule's documentation, write the page again:
``python -m playbooklint.rules.docs > docs/rules.md`` (a test compares them).
"""

from __future__ import annotations

from . import RULES, Rule

REPOSITORY_URL = "https://github.com/playbooklint/playbooklint"
PAGE = "docs/rules.md"


def anchor(rule: Rule) -> str:
    """The section's anchor as GitHub makes it from the heading ``PB201 link-broken``."""
    return f"{rule.code.lower()}-{rule.name}"


def url(rule: Rule) -> str:
    """The web address of a rule's documentation."""
    return f"{REPOSITORY_URL}/blob/main/{PAGE}#{anchor(rule)}"


def markdown() -> str:
    """The page: a table of every rule, then each rule's documentation."""
    from ..reporters.sarif import _markdown

    out = [
        "# Rules",
        "",
        "<!-- Written by `python -m playbooklint.rules.docs > docs/rules.md` from the rules' documentation"
        " (what `playbooklint explain RULE` prints); do not edit by hand. -->",
        "",
        "| code | name | default | what |",
        "|---|---|---|---|",
    ]
    for rule in RULES:
        default = rule.severity if rule.enabled else "off"
        summary = rule.summary.replace("|", "\\|")
        out.append(f"| [{rule.code}](#{anchor(rule)}) | {rule.name} | {default} | {summary} |")
    for rule in RULES:
        shown = rule.severity if rule.enabled else f'off (enable with `{rule.name} = "{rule.severity}"`)'
        out += ["", f"## {rule.code} {rule.name}", "", f"Default: {shown}.", "",
                _markdown(rule.doc).replace("### ", "#### ").strip()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
