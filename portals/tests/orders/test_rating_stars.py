"""评价 on the portal: five tappable stars (issue 13), not a list of radio buttons that reads like a
form. Each star is the label of a real radio input, in order 1 → 5, with the provider's description;
the page carries no inline script (the CSP forbids it) and the static script fills the stars."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import set_provider, signed_in, text_of
from repair_forms.models import RepairOrder
from repair_forms.tests.helpers import Cast, drive

STATIC = Path(settings.BASE_DIR) / "portals" / "static" / "portals"


def _rate_form(page: str) -> str:
    match = re.search(r'<fieldset class="star-picker[^"]*" data-star-picker>.*?</fieldset>', page)
    assert match, "the rating form has a star picker"
    return match.group(0)


def test_the_rating_form_is_five_tappable_stars_with_the_providers_words(cast: Cast, actors: Any) -> None:
    set_provider(actors.tenant_a, star_descriptions={"5": "非常满意", "4": "满意", "1": "很差"})
    with schema_context(actors.tenant_a.schema_name):
        order = drive(cast, "completed")
    client = signed_in(actors.tenant_a, cast.reporter)
    for url in (f"/orders/{order.pk}/", f"/orders/{order.pk}/rate/"):
        page = text_of(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        picker = _rate_form(page)
        pairs = re.findall(
            r'<input type="radio" name="stars" value="(\d)" (?:required )?id="([\w-]+)"[^>]*>'
            r'<label class="star" for="([\w-]+)"[^>]*><span aria-hidden="true">★</span>'
            r'<span class="visually-hidden">([^<]*)</span></label>',
            picker,
        )
        assert [value for value, *_ in pairs] == ["1", "2", "3", "4", "5"]  # reading order
        assert all(input_id == label_for for _, input_id, label_for, _ in pairs)
        spoken = {value: words for value, _, _, words in pairs}
        assert spoken["5"] == "5 星: 非常满意" and spoken["1"] == "1 星: 很差" and spoken["3"] == "3 星"
        assert 'data-for="4"' in picker and "满意" in picker
        assert "star-option" not in page  # the old radio list is gone
        assert "<script>" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    script = (STATIC / "orders.js").read_text()
    assert "[data-star-picker]" in script and "data-stars" in script
    styles = (STATIC / "orders.css").read_text()
    assert ".star-row input:checked + .star" in styles and "min-height: 44px" in styles

    rated = client.post(f"/orders/{order.pk}/rate/", {"stars": "4"})
    assert rated.status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        assert RepairOrder.objects.get(pk=order.pk).rating.stars == 4


def test_english_pages_say_star_and_stars(cast: Cast, actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        order = drive(cast, "completed")
    client = signed_in(actors.tenant_a, cast.reporter)
    page = text_of(client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    picker = _rate_form(page)
    assert '<span class="visually-hidden">1 star: ' in picker  # then the provider's own words
    assert '<span class="visually-hidden">5 stars: ' in picker
