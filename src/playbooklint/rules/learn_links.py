"""Learn validation: links and images as the Microsoft Learn build judges them (locales in URLs,
absolute links to the repository's own pages, plain-HTTP links to HTTPS sites, image alt text).
A pack: on by default only in docsets DocFX builds."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..model import Link, Page, Problem
from ..site import learn_locale, learn_site_path
from .base import Rule
from .fixers import link_edit, one_edit, toc_edit
from .links import _span

if TYPE_CHECKING:
    from ..docset import Docset

HTTPS_DOMAINS = ("microsoft.com", "github.com", "visualstudio.com", "office.com", "live.com", "bing.com")
"""Sites that serve every page over HTTPS, with all their subdomains (``learn.microsoft.com``,
``go.microsoft.com``, ``gist.github.com``, ``contoso.visualstudio.com``...)."""

HTTPS_HOSTS = frozenset({
    "aka.ms", "azure.com", "www.azure.com", "portal.azure.com", "dev.azure.com", "raw.githubusercontent.com",
    "nuget.org", "www.nuget.org", "powershellgallery.com", "www.powershellgallery.com",
})
"""More hosts that serve HTTPS, one by one: ``*.azure.com`` also holds customers' own hosts
(``x.cloudapp.azure.com``), which may not."""

PLAIN_HTTP_HOSTS = frozenset({
    "schemas.microsoft.com", "crl.microsoft.com", "mscrl.microsoft.com", "ocsp.microsoft.com",
    "oneocsp.microsoft.com",
})
"""Hosts of ``HTTPS_DOMAINS`` whose ``http:`` URLs are right as written: XML namespace names (an
identifier, not a page) and certificate revocation services (fetched over HTTP by design)."""

_MARKDOWN_KINDS = ("link", "image", "html", "html-image", "autolink", "reference", "directive")


def _links(page: Page) -> Iterator[Link]:
    """Links and images a reader follows or sees (not code snippets), in Markdown pages."""
    if page.kind == "markdown":
        for link in page.links:
            if link.kind in _MARKDOWN_KINDS:
                yield link


def _keep_form(written: str, url: str) -> str:
    """The new URL written the way the old one was (``<angle brackets>`` kept)."""
    return f"<{url}>" if written.strip().startswith("<") and written.strip().endswith(">") else url


def _url(target: str) -> str:
    url = target.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].strip()
    return url


def link_locale(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link (or image, or TOC ``href``) to Microsoft Learn or docs.microsoft.com that names a
    locale: ``https://learn.microsoft.com/en-us/azure/...``, ``https://docs.microsoft.com/de-de/...``
    (any ``xx-yy`` or ``xx-yyyy-zz`` first segment, in any case).

    Why
    Learn serves each reader the page in their own language when the URL has no locale. With
    ``/en-us/`` in it, a reader of the German or Japanese site is sent to the English page, and
    stays on the English site from there.

    Example
    ``[Kusto mappings](https://learn.microsoft.com/en-us/kusto/management/mappings)``.

    Use instead
    The same link without the locale (the message gives it):
    ``https://learn.microsoft.com/kusto/management/mappings``; or, for a page of this repository,
    its site-relative URL (see ``link-absolute-learn``).

    Options
    None. Part of the Learn pack: on by default in docsets DocFX builds.
    """
    for link in _links(page):
        found = learn_locale(_url(link.target))
        if found is not None:
            locale, fixed = found
            yield Problem(link.line, link.column,
                          f"'{link.target.strip()}' names the locale '{locale}': readers in other languages land on "
                          f"the {locale} page; write '{fixed}'", **_span(link),
                          fix=one_edit(link_edit(page.path, link, _keep_form(link.target, fixed)), f"write '{fixed}'"))
    for section in page.toc:
        for entry in section.entries:
            found = learn_locale(_url(entry.href))
            if found is not None:
                locale, fixed = found
                yield Problem(entry.line, entry.column,
                              f"TOC {entry.key} '{entry.href}' names the locale '{locale}': readers in other "
                              f"languages land on the {locale} page; write '{fixed}'",
                              fix=one_edit(toc_edit(page.path, entry, fixed), f"write '{fixed}'"))


def link_absolute_learn(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    An absolute link to Microsoft Learn (``https://learn.microsoft.com/...``, also
    ``docs.microsoft.com``, with or without a locale) whose path a docset of this repository
    serves: the URL is resolved like the site-relative link it names (``/azure/data-explorer/x``),
    in whichever docset serves that URL. A page or anchor missing behind it is reported by
    ``link-broken`` and ``link-anchor-missing``, as for any link of the repository.

    Why
    The page is part of this repository: a site-relative link is checked by the build, keeps
    readers of a review or preview build on that build instead of sending them to the live site,
    and does not depend on the host name (docs.microsoft.com became learn.microsoft.com).

    Example
    ``[mappings](https://learn.microsoft.com/en-us/kusto/management/mappings#examples)`` in a
    repository that publishes ``/kusto/``.

    Use instead
    The site-relative URL (the message gives it): ``[mappings](/kusto/management/mappings#examples)``;
    within the same docset, the relative path of the file works too (``../management/mappings.md``).

    Options
    None. The docsets' site URLs come from ``breadcrumb_path`` in docfx.json, from their own
    site-relative links, or from ``url-base``; URLs no docset of the repository serves are not
    reported. TOC entries are not checked.
    """
    if page.kind != "markdown":
        return
    for link, resolved in docset.links_of(page):
        if not resolved.absolute or link.kind not in _MARKDOWN_KINDS:
            continue
        target = _url(link.target)
        holder = resolved.docset if resolved.docset is not None else docset.prefix
        relative = learn_site_path(target)
        edit = link_edit(page.path, link, _keep_form(link.target, relative)) if relative else None
        yield Problem(link.line, link.column,
                      f"'{link.target.strip()}' is served by this repository (the docset '{holder or '.'}'): "
                      f"link it site-relative, '{relative}'", **_span(link),
                      fix=one_edit(edit, f"write '{relative}'"))


def https_host(url: str) -> str | None:
    """The host of an ``http:`` URL when that host is known to serve HTTPS (see
    ``HTTPS_DOMAINS`` and ``HTTPS_HOSTS``); None for any other URL."""
    if url[:7].lower() != "http://":
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or port is not None or host in PLAIN_HTTP_HOSTS:
        return None
    if host in HTTPS_HOSTS or any(host == d or host.endswith("." + d) for d in HTTPS_DOMAINS):
        return host
    return None


def link_insecure(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link, image or TOC ``href`` that uses plain ``http://`` to a site that serves HTTPS:
    Microsoft's (``microsoft.com`` and every subdomain: ``learn.``, ``docs.``, ``go.``, ``msdn.``,
    ``technet.``, ``azure.``...), ``aka.ms``, GitHub (``github.com`` and subdomains,
    ``raw.githubusercontent.com``), ``visualstudio.com``, ``office.com``, ``live.com``, ``bing.com``,
    and the hosts ``azure.com``, ``www.azure.com``, ``portal.azure.com``, ``dev.azure.com``,
    ``nuget.org``, ``powershellgallery.com`` (with ``www.``).

    Why
    Learn pages are served over HTTPS; an ``http:`` link costs the reader a redirect, can be read or
    altered on the way, and an ``http:`` image is mixed content that browsers block or flag.

    Example
    ``[Download](http://go.microsoft.com/fwlink/?LinkID=113216)``.

    Use instead
    ``[Download](https://go.microsoft.com/fwlink/?LinkID=113216)`` (the message gives the link).

    Options
    None. Other hosts (``localhost``, ``contoso.com``, any site not listed) are never reported,
    nor URLs with an explicit port, nor ``schemas.microsoft.com`` (XML namespace names) and the
    certificate revocation hosts (``crl.``, ``mscrl.``, ``ocsp.``, ``oneocsp.microsoft.com``).
    """
    for link in _links(page):
        url = _url(link.target)
        host = https_host(url)
        if host is not None:
            yield Problem(link.line, link.column,
                          f"'{url}' uses plain HTTP; {host} serves HTTPS: write 'https{url[4:]}'", **_span(link),
                          fix=one_edit(link_edit(page.path, link, _keep_form(link.target, f"https{url[4:]}")),
                                       f"write 'https{url[4:]}'"))
    for section in page.toc:
        for entry in section.entries:
            url = _url(entry.href)
            host = https_host(url)
            if host is not None:
                yield Problem(entry.line, entry.column,
                              f"TOC {entry.key} '{url}' uses plain HTTP; {host} serves HTTPS: write 'https{url[4:]}'",
                              fix=one_edit(toc_edit(page.path, entry, f"https{url[4:]}"), f"write 'https{url[4:]}'"))


def _image_syntax(link: Link) -> str:
    if link.kind == "html-image":
        return "<img>"
    return ":::image" if link.kind == "directive" else "image"


def image_alt_missing(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    An image with no alt text: a Markdown image with empty brackets (``![](media/x.png)``), an
    ``<img>`` without ``alt`` or with an empty one, a ``:::image`` without ``alt-text`` or with an
    empty one. Images marked as decoration are fine: ``<img role="presentation">`` (or
    ``role="none"``, ``aria-hidden="true"``) and ``:::image type="icon"``. Images in code blocks and
    inline code are text, not images.

    Why
    A screen reader announces an image by its alt text; without one, it reads out the file name or
    nothing at all, and the reader misses what the image shows. Learn's build and accessibility
    reviews require it.

    Example
    ``![](media/flow.png)``, ``<img src="media/flow.png">``,
    ``:::image type="content" source="media/flow.png":::``.

    Use instead
    A short description of what the image shows: ``![Data flow from ingestion to the
    dashboard](media/flow.png)``, ``alt="..."``, ``alt-text="..."``; for a purely decorative image,
    ``role="presentation"`` or ``:::image type="icon"``.

    Options
    None. Part of the Learn pack: on by default in docsets DocFX builds.
    """
    for link in _links(page):
        if link.image == "no-alt":
            attribute = "alt-text" if link.kind == "directive" else "alt"
            yield Problem(link.line, link.column,
                          f"{_image_syntax(link)} '{link.target.strip()}' has no {attribute}: screen readers cannot "
                          "say what it shows; describe the image", **_span(link))
        elif link.image == "alt" and not link.text.strip():
            what = {"image": "empty alt text", "html-image": "an empty alt"}.get(link.kind, "an empty alt-text")
            hint = "describe the image" if link.kind == "image" else \
                "describe the image, or mark decoration (role=\"presentation\")" if link.kind == "html-image" else \
                "describe the image, or use type=\"icon\" for a decorative icon"
            yield Problem(link.line, link.column,
                          f"{_image_syntax(link)} '{link.target.strip()}' has {what}: screen readers cannot say "
                          f"what it shows; {hint}", **_span(link))


_IGNORED = re.compile(r"[\s_\-]+")


def _name_like(text: str) -> str:
    return _IGNORED.sub("", text).lower()


def _file_name(target: str) -> str:
    path = re.split(r"[?#]", _url(target), maxsplit=1)[0]
    return posixpath.basename(unquote(path).replace("\\", "/"))


def image_alt_filename(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Alt text that is only the image's file name, with or without its extension, compared ignoring
    case, spaces, ``-`` and ``_``: ``![image1.png](media/image1.png)``, ``![image1](media/image1.png)``,
    ``![Image 1](media/image1.png)``, ``alt="Flow_Diagram"`` on ``flow-diagram.png``. Markdown
    images, ``<img alt>`` and ``:::image alt-text`` are checked. Alt text written as words that a
    descriptive file name was made from (``Mission-critical design areas`` on
    ``mission-critical-design-areas.svg``) names what the image shows: it is not reported.

    Why
    The alt text is there, but it is what a screen reader would have guessed from the file anyway:
    "image1" or "Screenshot_2024" tells the reader nothing about what the image shows. Editors and
    conversion tools fill it in this way.

    Example
    ``![create-cluster](media/create-cluster.png)``.

    Use instead
    Describe what the image shows: ``![The Create cluster page, with the Region box
    highlighted](media/create-cluster.png)``.

    Options
    None. Part of the Learn pack: on by default in docsets DocFX builds.
    """
    for link in _links(page):
        text = link.text.strip()
        if link.image != "alt" or not text:
            continue
        name = _file_name(link.target)
        stem = posixpath.splitext(name)[0]
        if not name or _name_like(text) not in (_name_like(name), _name_like(stem)):
            continue
        # the name as it is, one word as a file name is written, or a name without separators
        # spelled out ("Image 1"); not words a descriptive name was made from
        if text.lower() in (name.lower(), stem.lower()) or not re.search(r"\s", text) or not _IGNORED.search(stem):
            yield Problem(link.line, link.column,
                          f"alt text '{text}' is the file name of '{name}': it says nothing about "
                          "what the image shows; describe it", **_span(link))


RULES = (
    Rule("PB212", "link-locale", "warning", "page", link_locale,
         "A Microsoft Learn link with a locale (/en-us/): other readers land on that language.", learn=True),
    Rule("PB213", "link-absolute-learn", "warning", "page", link_absolute_learn,
         "An absolute learn.microsoft.com link to a page this repository serves: write it site-relative.",
         learn=True),
    Rule("PB214", "link-insecure", "warning", "page", link_insecure,
         "An http:// link to a site that serves https.", learn=True),
    Rule("PB215", "image-alt-missing", "warning", "page", image_alt_missing,
         "An image without alt text.", learn=True),
    Rule("PB216", "image-alt-filename", "warning", "page", image_alt_filename,
         "Image alt text that is only the file name.", learn=True),
)
