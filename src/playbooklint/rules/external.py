"""External links: what requesting each http(s) URL told (``--external``). The engine requests the
URLs once per run before the rules run (see ``playbooklint.external``); these rules only read the
answers, and report them at every link to the URL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..external import ExternalResult, has_anchor, request_url
from ..model import Page, Problem
from .base import Rule

if TYPE_CHECKING:
    from ..docset import Docset

_KINDS = ("link", "image", "html", "html-image", "autolink", "reference", "directive")


def _fragment(target: str) -> str:
    url = target.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].strip()
    return url.partition("#")[2]


def external_links(page: Page, docset: Docset) -> Iterator[tuple[int, int, str, str, dict[str, Any]]]:
    """(line, column, URL to request, fragment, span) of each http(s) link, image and TOC href of a
    page that leads outside the repository (a Learn URL a docset of the repository serves does not)."""
    for link, resolved in docset.links_of(page):
        if link.kind in _KINDS and resolved.status == "external":
            url = request_url(link.target)
            if url is not None:
                yield (link.line, link.column, url, _fragment(link.target),
                       {"end_line": link.end_line, "end_column": link.end_column})
    for section in page.toc:
        for entry in section.entries:
            if docset.toc_target(page.path, entry).status == "external":
                url = request_url(entry.href)
                if url is not None:
                    yield entry.line, entry.column, url, _fragment(entry.href), {}


def _answers(page: Page, docset: Docset) -> Iterator[tuple[int, int, str, str, dict[str, Any], ExternalResult]]:
    if not docset.external_checked:
        return
    for line, column, url, fragment, span in external_links(page, docset):
        result = docset.external_result(url)
        if result is not None:
            yield line, column, url, fragment, span, result


def link_external_broken(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    With ``--external`` (or ``external = true``): an http(s) link, image or TOC ``href`` whose
    URL is gone: the server answers 404 or 410 (after following redirects), the host name does not
    resolve, the redirects never end, or a short link (``aka.ms``) leads to a search page, which is
    where a short link that no longer exists sends readers. With ``external-fragments = true``, also
    a ``#fragment`` that names no ``id`` (or ``<a name>``) of the HTML page reached.

    Why
    A reader who follows the link lands on an error page. Sites move and retire pages; nothing but
    requesting the URL tells.

    Example
    ``[the old guide](https://contoso.com/retired-page)`` when contoso.com answers 404.

    Use instead
    The page's new address, an archived copy, or no link. A URL that must stay (a sample, a site
    that refuses robots) goes in ``external-exclude``.

    Options
    ``external-exclude`` (URL patterns, ``fnmatch``), ``external-accept`` (status codes that mean
    the page is there; default every 2xx), ``external-timeout``, ``external-retries``,
    ``external-short-links`` (URL patterns of short links: default ``aka.ms``),
    ``external-fragments`` (default false: fragments of external pages are not checked; ids a
    page's scripts add are not seen). Each URL is
    requested once per run, its fragment stripped; answers are cached for
    ``external-cache-max-age`` seconds. Learn URLs that a docset of the repository serves are
    checked as local links, never requested.
    """
    for line, column, url, fragment, span, result in _answers(page, docset):
        if result.state == "broken":
            yield Problem(line, column, f"'{url}' is broken: {result.detail}", **span)
        elif result.state == "ok" and not has_anchor(result, fragment):
            yield Problem(line, column, f"'{url}' has no anchor '#{fragment}'", **span)


def link_external_unreachable(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    With ``--external``: an http(s) link whose URL did not answer as a page: it timed out every
    time, the server kept answering 5xx or 429 after the retries, refused the connection, or
    answered a code that is neither accepted nor a sign of a missing page (401, 403, 400...).

    Why
    The page may be down for a while, or may refuse robots; a reader may find it unreachable too.
    It is a warning because it may pass: such failures are never cached, so the next run asks again.

    Example
    ``[status](https://status.contoso.com/)`` when the server answers 503 three times.

    Use instead
    Check the URL by hand; if the site refuses automated requests, add it to ``external-exclude``,
    or add the status it answers to ``external-accept``.

    Options
    ``external-timeout``, ``external-retries``, ``external-max-retry-wait`` (the longest wait a
    ``Retry-After`` may ask for), ``external-accept``, ``external-exclude``.
    """
    for line, column, url, _fragment, span, result in _answers(page, docset):
        if result.state == "unreachable":
            yield Problem(line, column, f"'{url}' is unreachable: {result.detail}", **span)


def link_external_redirected(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    With ``--external``, when enabled: an http(s) link whose URL is permanently redirected (the
    first answer is 301 or 308) to a page that is there; the message gives where the redirects end.

    Why
    A permanent redirect says the page has moved for good: the link costs readers a round trip,
    and redirects are often dropped in the next site reorganisation.

    Example
    ``[docs](http://docs.contoso.com/guide)`` answered by ``301 Location: https://learn.contoso.com/guide``.

    Use instead
    The new URL: ``[docs](https://learn.contoso.com/guide)``.

    Options
    Off by default; enable with ``link-external-redirected = "warning"`` in ``rules``. Temporary
    redirects (302, 303, 307) and short links are never reported.
    """
    for line, column, url, _fragment, span, result in _answers(page, docset):
        if result.state == "ok" and result.moved_to:
            yield Problem(line, column, f"'{url}' has moved permanently to '{result.moved_to}'", **span)


RULES = (
    Rule("PB217", "link-external-broken", "error", "page", link_external_broken,
         "An http(s) link answers 404/410, its host does not resolve, or its short link is dead (--external)."),
    Rule("PB218", "link-external-unreachable", "warning", "page", link_external_unreachable,
         "An http(s) link timed out, kept failing with 5xx/429, or was refused (--external)."),
    Rule("PB219", "link-external-redirected", "warning", "page", link_external_redirected,
         "An http(s) link is permanently redirected; use the new URL (--external).", enabled=False),
)
