"""葵花码: mini-program codes from ``wxa/getwxacodeunlimit`` (wechatpy ``get_wxa_code_unlimited``).

A code carries a ``scene`` of at most 32 characters (WeChat's limit); ours is a kind prefix and a
random part (``c.Xy3…``), stored in ``MiniProgramCode`` with what it opens (the portal, a customer
company's registration, a machine, engineer registration). The client reads the scene on launch
and asks ``scene_resolve`` (``GET /api/v1/miniprogram/scene/<scene>/``) what to open, so a scene
never exposes an id and a regenerated code keeps its scene (printed labels stay valid).

A code is generated once and kept in default storage (S3 or the local tenant-prefixed files);
``regenerate=True`` asks WeChat again (e.g. after the mini-program's home page moved).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from accounts.models import CustomerCompany
from accounts.selectors import provider_settings
from integrations.miniprogram.accounts import MiniProgramUnavailable, miniprogram_account_connected
from integrations.miniprogram.client import miniprogram_client
from integrations.miniprogram.errors import describe
from integrations.miniprogram.models import MiniProgramCode, MiniProgramCodeKind
from integrations.miniprogram.signin import STAFF_BIND_PREFIX
from integrations.wechat import tokens
from repair_forms.models import Asset

MAX_SCENE = 32
PREFIX = {
    MiniProgramCodeKind.PORTAL: "p",
    MiniProgramCodeKind.COMPANY: "c",
    MiniProgramCodeKind.ASSET: "a",
    MiniProgramCodeKind.ENGINEER: "e",
    MiniProgramCodeKind.STAFF_BIND: "s",
}
# The page each code opens (must exist in the published mini-program, else WeChat answers 41030).
PAGES = {
    MiniProgramCodeKind.PORTAL: "pages/home/index",
    MiniProgramCodeKind.COMPANY: "pages/home/index",
    MiniProgramCodeKind.ASSET: "pages/report/index",
    MiniProgramCodeKind.ENGINEER: "pages/home/index",
    MiniProgramCodeKind.STAFF_BIND: "pages/home/index",
}


def _new_scene(kind: str) -> str:
    scene = f"{PREFIX[MiniProgramCodeKind(kind)]}.{secrets.token_urlsafe(12)}"
    assert len(scene) <= MAX_SCENE
    return scene


def _wechat_image(scene: str, page: str) -> bytes:
    try:
        client = miniprogram_client(miniprogram_account_connected())
    except MiniProgramUnavailable as exc:
        raise ValidationError(_("Bind the mini-program first.")) from exc
    try:
        response: Any = client.wxa.get_wxa_code_unlimited(scene, width=430, page=page)
    except WeChatClientException as exc:
        raise ValidationError(describe(exc.errcode, exc.errmsg)) from exc
    except tokens.TokenUnavailable as exc:
        raise ValidationError(describe(-1)) from exc
    content = getattr(response, "content", b"")
    if not isinstance(content, bytes) or not content:
        raise ValidationError(describe(None, "no image"))
    return content


@transaction.atomic
def miniprogram_code_get(*, kind: str, target: str = "", regenerate: bool = False) -> MiniProgramCode:
    """The stored 葵花码 for (kind, target), asking WeChat only when there is none yet (or when
    ``regenerate``). Raises ``ValidationError`` with WeChat's reason in words."""
    code = MiniProgramCode.objects.select_for_update().filter(kind=kind, target=target).first()
    if code is None:
        code = MiniProgramCode(kind=kind, target=target, scene=_new_scene(kind))
    if code.image and not regenerate:
        return code
    png = _wechat_image(code.scene, PAGES[MiniProgramCodeKind(kind)])
    old = code.image.name if code.image else ""
    code.image.save(f"{code.scene.replace('.', '-')}.png", ContentFile(png), save=False)
    code.save()
    if old and old != code.image.name:
        transaction.on_commit(lambda: code.image.storage.delete(old))
    return code


def miniprogram_code_png(code: MiniProgramCode) -> bytes:
    with code.image.open("rb") as handle:
        return bytes(handle.read())


def asset_codes(assets: list[Asset]) -> dict[int, bytes]:
    """The mini-program code image of every asset (generated where missing), for the label sheet."""
    return {
        asset.pk: miniprogram_code_png(
            miniprogram_code_get(kind=MiniProgramCodeKind.ASSET, target=asset.token)
        )
        for asset in assets
    }


@dataclass(frozen=True)
class SceneTarget:
    kind: str
    page: str
    values: dict[str, Any]


def scene_resolve(scene: str) -> SceneTarget | None:
    """What a scanned scene opens, or None for an unknown or withdrawn one."""
    scene = (scene or "")[:MAX_SCENE]
    if scene.startswith(STAFF_BIND_PREFIX):
        return SceneTarget(
            MiniProgramCodeKind.STAFF_BIND, PAGES[MiniProgramCodeKind.STAFF_BIND], {"scene": scene}
        )
    code = MiniProgramCode.objects.filter(scene=scene).first()
    if code is None:
        return None
    kind = MiniProgramCodeKind(code.kind)
    values: dict[str, Any] = {}
    if kind == MiniProgramCodeKind.COMPANY:
        company = CustomerCompany.objects.filter(registration_token=code.target, is_active=True).first()
        if company is None:
            return None
        values = {"company": company.name, "registration_token": company.registration_token}
    elif kind == MiniProgramCodeKind.ASSET:
        asset = Asset.objects.filter(token=code.target).first()
        if asset is None:
            return None
        values = {"asset": asset.token, "machine_no": asset.machine_no}
    elif kind == MiniProgramCodeKind.ENGINEER:
        join = provider_settings().engineer_join_token
        if not join or join != code.target:
            return None
        values = {"join_token": join}
    return SceneTarget(kind, PAGES[kind], values)
