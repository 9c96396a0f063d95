from playbooklint.slug import slugify, unique_slugs


def test_docfx_github_slug_keeps_every_space_and_hyphen():
    # DocFX's own test case (markdig AutoIdentifierOptions.GitHub)
    assert slugify("This - is a &@! heading _ with . and ! -") == "this---is-a--heading-_-with--and---"


def test_unicode_letters_kept_lowercased():
    assert slugify("Übersicht über Straße 2") == "übersicht-über-straße-2"
    assert slugify("What's new in IIS 10.0?") == "whats-new-in-iis-100"


def test_duplicates_are_numbered_and_empty_is_section():
    assert unique_slugs(["a", "a", "b", "a", "a-1", ""]) == ["a", "a-1", "b", "a-2", "a-1-1", "section"]
