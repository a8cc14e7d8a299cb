"""Template ids per notification slot in the console, for the mini-program (subscribe messages) and
the official account (notice settings): both forms come from ``portals.console.app_binding``.
Saved ids are kept and shown again; a malformed id is refused on its field, in words, and nothing
is saved."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from integrations.miniprogram.models import MiniProgramAccount
from integrations.models import WeChatAccount
from integrations.tests.wechat_fixtures import *  # noqa: F403
from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.tests.helpers import Cast

GOOD_ID = "TPL_order_update_0001"


def test_the_mini_programs_subscribe_templates_are_saved_and_shown_again(
    mp_a: Any, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin, HTTP_ACCEPT_LANGUAGE="en")
    saved = console.post("/console/miniprogram/", {"action": "templates", "template_order_update": GOOD_ID})
    assert saved.status_code == 302 and saved["Location"] == "/console/miniprogram/"
    with schema_context(actors.tenant_a.schema_name):
        assert MiniProgramAccount.objects.get().subscribe_template_ids == {"order_update": GOOD_ID}
    page = text_of(console.get("/console/miniprogram/"))
    assert "Saved." in page and f'value="{GOOD_ID}"' in console.get("/console/miniprogram/").content.decode()
    refused = console.post(
        "/console/miniprogram/", {"action": "templates", "template_order_update": "bad id!"}
    )
    assert refused.status_code == 200
    assert "A template id is 10 to 64 letters" in text_of(refused)
    with schema_context(actors.tenant_a.schema_name):
        assert MiniProgramAccount.objects.get().subscribe_template_ids == {"order_update": GOOD_ID}


def test_the_official_accounts_notice_templates_are_saved_and_shown_again(wechat_a: Any, actors: Any) -> None:
    console = signed_in(actors.tenant_a, actors.owner_a, HTTP_ACCEPT_LANGUAGE="en")
    form = {
        "action": "settings",
        "message_style": "template",
        "welcome_text": "欢迎",
        "default_reply": "",
        "template_order_update": GOOD_ID,
    }
    saved = console.post("/console/wechat/", form)
    assert saved.status_code == 302 and saved["Location"] == "/console/wechat/"
    with schema_context(actors.tenant_a.schema_name):
        account = WeChatAccount.objects.get()
        assert account.template_ids == {"order_update": GOOD_ID} and account.welcome_text == "欢迎"
    assert f'value="{GOOD_ID}"' in console.get("/console/wechat/").content.decode()
    refused = console.post("/console/wechat/", {**form, "template_order_update": "bad id!"})
    assert refused.status_code == 200
    assert "A template id is 10 to 64 letters" in text_of(refused)
    with schema_context(actors.tenant_a.schema_name):
        assert WeChatAccount.objects.get().template_ids == {"order_update": GOOD_ID}
