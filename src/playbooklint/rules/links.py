"""Links, images, anchors and TOC entries, resolved with DocFX's rules."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..fuzzy import did_you_mean
from ..model import Include, Link, Page, Problem, TocEntry
from .base import Rule, parse_problems
from .fixers import anchor_fix, broken_fix, case_fix, link_edit, one_edit, redirect_fix

if TYPE_CHECKING:
    from ..docset import Docset, Resolved

IMAGE_KINDS = ("image", "html-image", "directive")


def _checked_links(page: Page, docset: Docset) -> list[tuple[Link, Resolved]]:
    return docset.links_of(page) if page.kind == "markdown" else []


def _what(link: Link, resolved: Resolved) -> str:
    if link.kind in IMAGE_KINDS:
        return "image"
    if link.kind == "code":
        return "code snippet"
    if resolved.url or (resolved.path and resolved.path.lower().endswith(".md")):
        return "page"
    return "file"


def _span(link: Link) -> dict[str, Any]:
    return {"end_line": link.end_line, "end_column": link.end_column}


def _case_detail(wanted: str, real: str) -> str:
    for want_part, real_part in zip(wanted.split("/"), real.split("/")):
        if want_part != real_part and want_part.lower() == real_part.lower():
            return f"'{want_part}' is '{real_part}' on disk"
    return f"on disk it is '{real}'"


def link_broken(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Every relative link, image, ``:::image`` source, code snippet, and HTML ``<a href>``/``<img src>``
    in pages and include files, resolved as DocFX resolves it: from the folder of the file that
    holds the link (an include file's own folder, not the including page's), ``~/`` from the docset
    root, ``?query`` stripped, percent-escapes decoded, ``<angle brackets>`` and backslashes
    accepted. A target must be an existing file, or a folder with an ``index.md``/``index.yml``.

    Why
    A broken link or a missing image reaches readers as a 404 or an empty box.

    Example
    ``[Assess](./phase-asess.md)`` when the file is ``phase-assess.md``.

    Use instead
    The message suggests a near match (one edit away in the same folder, or a file with the same
    name elsewhere): ``[Assess](./phase-assess.md)``. ``--fix --unsafe-fixes`` links the one file of
    the docset with the name written, when there is exactly one.

    Options
    ``url-base`` maps site-absolute links (``/iis/...``) onto the docset; other site-absolute links
    and URLs (``https:``, ``mailto:``, ``xref:`` ...) are not checked here, except absolute
    Microsoft Learn URLs that a docset of the repository serves (see ``link-absolute-learn``). Links to pages that moved
    (``.openpublishing.redirection.json``) are not broken: see ``link-redirected``.
    """
    for link, resolved in _checked_links(page, docset):
        if resolved.status != "missing":
            continue
        what = _what(link, resolved)
        detail = f" ({resolved.detail})" if resolved.detail else ""
        suggestion = docset.suggest(page.path, resolved.path) if resolved.path and not resolved.docset \
            and not resolved.url else None
        message = did_you_mean(f"{what} '{link.target}' does not exist{detail}", suggestion)
        yield Problem(link.line, link.column, message, **_span(link),
                      fix=broken_fix(docset, page.path, link, resolved))


def link_case_mismatch(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link, image or include whose target exists only with different letter case in some path
    component. Each component is compared with the real directory listing, on every OS.

    Why
    Learn and Windows forgive case; Linux, GitHub, and most static hosts and link checkers do not.
    The link works in one place and 404s in another.

    Example
    ``[config](../configuration/System.WebServer/index.md)`` when the folder is ``system.webServer``.

    Use instead
    Write the path exactly as it is on disk (the message names the component that differs).
    ``--fix`` does it, keeping the link's form.

    Options
    Default severity is warning; set ``link-case-mismatch = "error"`` to enforce it.
    """
    found: list[tuple[Link | Include | TocEntry, str, Resolved]] = [
        (link, f"'{link.target}'", resolved) for link, resolved in _checked_links(page, docset)]
    found += [(include, f"include '{include.target}'", docset.resolve_include(page.path, include))
              for include in (page.includes if page.kind == "markdown" else ())]
    found += [(entry, f"TOC {entry.key} '{entry.href}'", resolved) for entry, resolved in docset.toc_links_of(page)]
    for item, written, resolved in found:
        if resolved.status == "case" and resolved.path and resolved.wanted:
            span = _span(item) if isinstance(item, Link) else {}
            yield Problem(item.line, item.column,
                          f"{written} exists only with different case: "
                          f"{_case_detail(resolved.wanted, resolved.path)}; it breaks on case-sensitive hosts",
                          **span, fix=case_fix(docset, page.path, item, resolved))


def _anchor_message(fragment: str, where: str, docset: Docset, page: str) -> str:
    guess = docset.closest_anchor(page, fragment)
    return did_you_mean(f"no anchor '#{fragment}' {where}", f"#{guess}" if guess else None)


def _fragment_to_check(fragment: str | None) -> bool:
    return bool(fragment) and not fragment.startswith("tab/")  # type: ignore[union-attr]


def _anchor_part(fragment: str) -> str:
    """The anchor of a fragment that carries a misplaced query (``x?view=y``, ``x&a=b``): the
    browser keeps it all, but the anchor meant is what comes before (link-fragment-query says so)."""
    return re.split(r"[?&]", fragment, maxsplit=1)[0]


def link_anchor_missing(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    The ``#fragment`` of a link to a Markdown page (or to the page itself) names an anchor the
    rendered page has: a heading slug as DocFX computes it (lower-case, punctuation dropped, spaces
    to ``-``, HTML entities decoded, inline code text kept, repeats numbered ``-1``, ``-2`` across the
    page with its includes expanded), an explicit ``<a name>`` or ``id``, ``#top``, or a DocFX tab
    (``#tab/...``). Comparison is exact after percent-decoding. A ``#x`` written in an include file
    is checked against every page that includes it, and a miss names that page.

    Why
    A wrong fragment lands the reader at the top of a long page instead of the section meant.
    Learn and browsers match fragments exactly, so a difference in case is a miss too.

    Example
    ``[Exit](./phase-assess.md#Exit-criteria)`` when the heading slug is ``exit-criteria``.

    Use instead
    ``[Exit](./phase-assess.md#exit-criteria)`` (the message names the closest real anchor).
    ``--fix --unsafe-fixes`` writes the one anchor that matches ignoring case and punctuation.

    Options
    None.
    """
    if page.kind != "markdown":
        return
    in_include = docset.is_include(page.path)
    for link, resolved in _checked_links(page, docset):
        if not _fragment_to_check(resolved.fragment):
            continue
        fragment = _anchor_part(resolved.fragment or "")
        if not fragment:
            continue
        if resolved.status == "self":
            hosts = docset.rendering_pages(page.path) if in_include else [page.path]
            for host in hosts:
                anchors = docset.anchors_of(host)
                if anchors is not None and fragment not in anchors:
                    where = "on this page" if host == page.path else f"on '{host}', which includes this file"
                    yield Problem(link.line, link.column, _anchor_message(fragment, where, docset, host),
                                  **_span(link), fix=anchor_fix(page.path, link, fragment, anchors)
                                  if len(hosts) == 1 else None)
        elif resolved.status in ("ok", "case", "cross") and resolved.path and resolved.path.lower().endswith(".md"):
            holder = docset.other(resolved)
            anchors = holder.anchors_of(resolved.path)
            if anchors is not None and fragment not in anchors:
                where = f"in '{resolved.path}'" if holder is docset else \
                    f"in '{resolved.path}' of the docset '{resolved.docset or '.'}'"
                yield Problem(link.line, link.column, _anchor_message(fragment, where, holder, resolved.path),
                              **_span(link), fix=anchor_fix(page.path, link, fragment, anchors))


def link_outside_docset(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link, image, include or TOC entry whose path leaves the docset root
    (``../../../etc/passwd``, ``~/../x``, an absolute file path, ``%2e%2e/``, or a symbolic link that
    points outside). The target is never opened or even looked at.

    Why
    DocFX publishes only what is inside the docset; such a link breaks on the site, and reading
    outside the root would let a pull request probe the CI machine.

    Example
    ``![diagram](../../shared-media/flow.png)`` from a page one level below the root.

    Use instead
    Move the file into the docset, or, for a sibling folder DocFX also publishes, allow it:
    ``allow-outside = ["../shared-media/**"]`` (globs relative to the root). Allowed targets are
    not checked.

    Options
    ``allow-outside``.
    """
    if page.kind == "markdown":
        for link, resolved in _checked_links(page, docset):
            if resolved.status == "outside":
                yield Problem(link.line, link.column, outside_message(link.target, resolved), **_span(link))
            elif resolved.status == "repo" and link.kind != "code" and not (link.kind == "directive" and not link.image):
                # code snippets (``[!code]``, ``:::code source=``) are read from the repository at build time
                yield Problem(link.line, link.column,
                              f"'{link.target}' is a file of the repository that no docset publishes "
                              f"('{resolved.path}' from the docset root): readers get a 404; move it into "
                              "the docset", **_span(link))
    for entry, resolved in docset.toc_links_of(page):
        if resolved.status == "outside":
            yield Problem(entry.line, entry.column,
                          f"TOC {entry.key} '{entry.href}' leaves the docset root; move the target into it")


def outside_message(target: str, resolved: Resolved) -> str:
    """Say where the target lands and how to allow a sibling folder the build really has."""
    if resolved.detail:
        return f"'{target}' leaves the docset root through a {resolved.detail}; it is not followed"
    path = resolved.path or ""
    parts = path.split("/")
    ups = 0
    while ups < len(parts) and parts[ups] == "..":
        ups += 1
    if ups < len(parts) - 1:
        glob = "/".join(parts[: ups + 1]) + "/**"
        hint = f"move the file into the docset, or allow the folder: allow-outside = [\"{glob}\"]"
    else:
        hint = "move the file into the docset"
    return f"'{target}' leaves the docset root (it is '{path}' from the root); {hint}"


def link_empty(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link with nothing to go to: ``[text]()``, ``<a href="">``, ``![alt]()``.

    Why
    It renders as a link that reloads the page — usually a destination forgotten while writing.

    Example
    ``See [the assess phase]() for details.``

    Use instead
    ``See [the assess phase](./phase-assess.md) for details.``, or plain text.

    Options
    None.
    """
    for link, resolved in _checked_links(page, docset):
        if resolved.status == "empty":
            kind = "image" if link.kind in IMAGE_KINDS else "link"
            yield Problem(link.line, link.column,
                          f"{kind} has an empty target; add the destination or remove the {kind}", **_span(link))


def link_redirected(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link to a page that no longer exists but is redirected by
    ``.openpublishing.redirection.json`` (``source_path`` relative to that file's folder, or
    ``source_path_from_root``). The file is found in the docset root and its parents up to the
    repository root.

    Why
    The link works through the redirect, so it is not broken; but each redirect is an extra hop,
    and it breaks if the redirect is ever removed. Off by default.

    Example
    ``[tracing](../troubleshoot/old-page.md)`` where ``old-page.md`` redirects to
    ``/troubleshoot/new-page``.

    Use instead
    Link to the redirect's target. ``--fix`` does it when the target is a page of the docset.

    Options
    Enable with ``link-redirected = "warning"`` in ``[rules]``; ``redirects`` in config names the
    redirection files explicitly.
    """
    for link, resolved in _checked_links(page, docset):
        if resolved.status == "redirected":
            yield Problem(link.line, link.column,
                          f"'{link.target}' was moved; it redirects to '{resolved.detail}': link there instead",
                          **_span(link), fix=redirect_fix(docset, page.path, link, resolved))
    for entry, resolved in docset.toc_links_of(page):
        if resolved.status == "redirected":
            yield Problem(entry.line, entry.column,
                          f"TOC {entry.key} '{entry.href}' was moved; it redirects to '{resolved.detail}'",
                          fix=redirect_fix(docset, page.path, entry, resolved))


def link_cross_docset(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A relative link from one docset of the repository into another (``../kusto/query/x.md`` from
    the outer docset, or into a docset nested in this one's folder). The file exists, so the link
    works on disk and in a Markdown preview.

    Why
    Each docset is built and published on its own, under its own site URL: a relative path between
    them does not exist on the site, and the reader gets a 404.

    Example
    ``[mappings](../kusto/management/mappings.md)`` in ``data-explorer/ingest.md``.

    Use instead
    The site-relative URL of the target page, which the message gives when the other docset's URL
    is known: ``[mappings](/kusto/management/mappings)``.

    Options
    Default severity is warning.
    """
    if page.kind != "markdown":
        return
    for link, resolved in _checked_links(page, docset):
        if resolved.status != "cross" or link.kind == "code":
            continue
        url = docset.url_of(resolved)
        other = resolved.docset or "."
        if url:
            fragment = f"#{resolved.fragment}" if resolved.fragment else ""
            advice = f"link it by its site URL: '{url}{fragment}'"
        else:
            advice = "link it by its site URL (site-relative, starting with '/')"
        yield Problem(link.line, link.column,
                      f"'{link.target}' is a page of the docset '{other}', published separately: the relative "
                      f"link works on disk but not on the site; {advice}", **_span(link))


_DOCS_SITE = re.compile(r"^https?://(learn|docs)\.microsoft\.com(/|$)", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:|^//")


def _docs_link(target: str) -> bool:
    """A link into documentation (this repository or Microsoft Learn), where a fragment is an
    anchor; other sites may route with ``#!/path?x=y`` fragments, which are not ours to judge."""
    target = target.strip()
    return not _SCHEME.match(target) or _DOCS_SITE.match(target) is not None


_QUERY_IN_FRAGMENT = re.compile(r"^([^#]*)#([^?&]*)([?&].*)$", re.DOTALL)


def fragment_query_fix(target: str) -> str | None:
    """The link with its query before its fragment, when a query is written after the ``#``
    (``x#a?view=y`` -> ``x?view=y#a``; ``x?view=y#a&b=c`` -> ``x?view=y&b=c#a``); else None."""
    match = _QUERY_IN_FRAGMENT.match(target.strip())
    if match is None:
        return None
    path, anchor, tail = match.groups()
    extra = tail[1:]
    if tail[0] == "&" and "?" not in path:
        return None  # "#a&b" with no query at all: an anchor with an ampersand, not a query
    if not extra or "=" not in extra:
        return None
    joiner = "&" if "?" in path else "?"
    fixed = f"{path}{joiner}{extra}"
    return f"{fixed}#{anchor}" if anchor else fixed


def link_fragment_query(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link whose query string comes after its ``#fragment``: ``x#examples?view=y``, or a
    fragment in the middle of a query, ``x?view=y#anchor&preserve-view=true``.

    Why
    Everything after ``#`` is the fragment: the browser never sends that query to the server,
    and looks for an anchor named ``examples?view=y``, which no page has. The reader lands at the
    top of the page, in the default view.

    Example
    ``[mappings](/kusto/management/mappings#examples?view=azure-data-explorer)``.

    Use instead
    The query first, then the fragment:
    ``[mappings](/kusto/management/mappings?view=azure-data-explorer#examples)`` (the message
    gives the corrected link; ``--fix`` writes it).

    Options
    None. Links to other sites are not checked (single-page applications route with
    ``#/path?x=y`` fragments).
    """
    if page.kind != "markdown":
        return
    for link in page.links:
        if link.kind == "code" or "#" not in link.target or not _docs_link(link.target):
            continue
        fixed = fragment_query_fix(link.target)
        if fixed is not None:
            yield Problem(link.line, link.column,
                          f"query after the fragment in '{link.target}': the browser takes it as part of the "
                          f"anchor; write '{fixed}'", **_span(link),
                          fix=one_edit(link_edit(page.path, link, fixed), f"write '{fixed}'"))


def toc_link_broken(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Every ``href``, ``tocHref`` and ``topicHref`` in ``toc.yml``/``TOC.yml`` files resolves: a file,
    or a folder holding a ``toc.yml`` (or an ``index.md``). Reported at the entry's own line. Case
    differences are ``link-case-mismatch``; URLs and site-absolute paths are not checked.

    Why
    A broken TOC entry is a dead item in the navigation of every page of the section.

    Example
    ``href: phase-asess.md`` in ``TOC.yml``.

    Use instead
    ``href: phase-assess.md``.

    Options
    None.
    """
    for entry, resolved in docset.toc_links_of(page):
        if resolved.status == "missing":
            detail = f" ({resolved.detail})" if resolved.detail else ""
            suggestion = docset.suggest(page.path, resolved.path) if resolved.path and not resolved.docset \
                and not resolved.url else None
            yield Problem(entry.line, entry.column,
                          did_you_mean(f"TOC {entry.key} '{entry.href}' does not exist{detail}", suggestion))
        elif resolved.status == "empty":
            yield Problem(entry.line, entry.column, f"TOC {entry.key} is empty")


def toc_invalid(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A ``toc.yml`` that is not valid YAML (or uses aliases, tags or duplicate keys).

    Why
    DocFX fails to build the navigation; none of its entries can be checked either.

    Example
    An entry indented with a tab.

    Use instead
    Fix the YAML at the line given.

    Options
    None.
    """
    return parse_problems(page, "toc-invalid")


def orphan_page(docset: Docset) -> Iterable[Problem]:
    """What it checks
    A published page that nothing points at: no TOC entry, no link from another page, no include.
    The index page and include files are never orphans.

    Why
    DocFX publishes it, but readers cannot navigate to it; it is usually a page someone forgot to
    add to the TOC, or one left behind after a rename.

    Example
    ``phase-review.md`` added without a ``TOC.yml`` entry or a link from the index.

    Use instead
    Add it to ``TOC.yml`` or link it from a related page; or delete it (and add a redirect).

    Options
    Default severity is warning.
    """
    candidates = [
        page for page in docset.markdown_pages()
        if docset.is_selected(page.path)
        and not docset.is_index(page.path) and docset.docfx.is_content(page.path)
        and posixpath.basename(page.path).lower() != "toc.md"
    ]
    inbound = docset.inbound_to([page.path for page in candidates]) if docset.selected is not None else docset.inbound
    for page in candidates:
        if not inbound.get(page.path) and page.path not in docset.linked_from_other_docsets:
            yield Problem(1, 1, "page is not in any TOC and no other page links to it; add it to a "
                          "toc.yml or link it from a related page", path=page.path)


RULES = (
    Rule("PB201", "link-broken", "error", "page", link_broken,
         "A relative link, image or snippet points to a file that does not exist."),
    Rule("PB202", "link-case-mismatch", "warning", "page", link_case_mismatch,
         "The target exists only with different letter case."),
    Rule("PB203", "link-anchor-missing", "error", "page", link_anchor_missing,
         "The #fragment names no heading or anchor of the target page."),
    Rule("PB204", "link-outside-docset", "error", "page", link_outside_docset,
         "The target path leaves the docset root."),
    Rule("PB205", "link-empty", "error", "page", link_empty,
         "A link or image with an empty target."),
    Rule("PB206", "link-redirected", "warning", "page", link_redirected,
         "The target page moved and is reached through a redirect.", enabled=False),
    Rule("PB207", "toc-link-broken", "error", "page", toc_link_broken,
         "A toc.yml href, tocHref or topicHref does not resolve."),
    Rule("PB208", "orphan-page", "warning", "docset", orphan_page,
         "A page that no TOC, link or include reaches."),
    Rule("PB209", "toc-invalid", "error", "page", toc_invalid,
         "A toc.yml that is not valid YAML."),
    Rule("PB210", "link-cross-docset", "warning", "page", link_cross_docset,
         "A relative link into another docset of the repository: it breaks on the site."),
    Rule("PB211", "link-fragment-query", "error", "page", link_fragment_query,
         "A query string written after the #fragment: the anchor never matches."),
)
