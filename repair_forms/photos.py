"""Photos on orders: checked by content (not by name), limited in bytes and pixels, and always
re-encoded as a fresh JPEG — which drops EXIF (GPS positions from customers' phones), applies the
camera's rotation, flattens transparency and defeats files that are "images" only by their name.

Stored through the default storage (tenant-prefixed keys, local disk or S3) under random names.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from repair_forms.lifecycle import Actor
from repair_forms.models import OrderPhoto, PhotoKind
from tenants.inputs import parse_id

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decoded size guard (a 10 MB PNG can decode to gigabytes)
MIN_SIDE = 16
MAX_OUTPUT_SIDE = 2560
JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedImage:
    content: bytes
    width: int
    height: int


def _read(file: Any) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("An image can be at most %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("An image can be at most %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    return bytes(data)


def prepare_image(file: Any) -> PreparedImage:
    """Validate an uploaded file and return it re-encoded as JPEG. Raises ``ValidationError``."""
    data = _read(file)
    not_an_image = _("Upload a photo in JPEG, PNG, WebP, GIF or BMP format.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(not_an_image)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("An image can have at most %(mp)d megapixels.") % {"mp": MAX_PIXELS // 1_000_000}
                )
            if min(width, height) < MIN_SIDE:
                raise ValidationError(_("The image is too small."))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
        raise ValidationError(not_an_image) from None
    except Image.DecompressionBombError:
        raise ValidationError(
            _("An image can have at most %(mp)d megapixels.") % {"mp": MAX_PIXELS // 1_000_000}
        ) from None
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedImage(out.getvalue(), image.width, image.height)


def photo_save(*, prepared: PreparedImage, kind: str, actor: Actor, **links: Any) -> OrderPhoto:
    """Store a prepared image as an ``OrderPhoto`` (``links``: order, work_order, suspension, event)."""
    photo = OrderPhoto(
        kind=kind,
        width=prepared.width,
        height=prepared.height,
        size_bytes=len(prepared.content),
        uploaded_by_customer=actor.customer,
        uploaded_by_staff=actor.staff,
        **links,
    )
    photo.file.save("photo.jpg", ContentFile(prepared.content), save=False)
    photo.save()
    return photo


def photo_upload(*, actor: Actor, file: Any, kind: str = PhotoKind.REPORT) -> OrderPhoto:
    """Upload a photo ahead of the step that uses it (the mini-program flow): it belongs to the
    uploader and is attached when they submit the step with its id."""
    return photo_save(prepared=prepare_image(file), kind=kind, actor=actor)


def resolve_photos(items: list[Any], *, actor: Actor) -> list[PreparedImage | OrderPhoto]:
    """Turn a field's items into prepared images (uploaded files) or the actor's own unattached
    photos (ids). Everything is validated before anything is stored."""
    resolved: list[PreparedImage | OrderPhoto] = []
    ids = [i for i in (photo_id(item) for item in items) if i is not None]
    owned = {p.pk: p for p in _unattached_of(actor, ids)} if ids else {}
    for item in items:
        pk = photo_id(item)
        if pk is not None:
            photo = owned.get(pk)
            if photo is None:
                raise ValidationError(_("A photo was not found; upload it again."))
            resolved.append(photo)
        elif hasattr(item, "read"):
            resolved.append(prepare_image(item))
        else:  # -1, {}, "²", 1.5, true: neither an id nor a file
            raise ValidationError(_("Each photo is an uploaded image or the id of one you uploaded."))
    return resolved


def photo_id(item: Any) -> int | None:
    """``item`` as a photo id: a positive whole number, given as a JSON number or as ASCII digits
    (``"²"`` passes ``str.isdigit`` but is no number; a bool is no id)."""
    return parse_id(item)


def _unattached_of(actor: Actor, ids: list[int]) -> list[OrderPhoto]:
    queryset = OrderPhoto.objects.filter(pk__in=ids, order__isnull=True)
    if actor.customer is not None:
        return list(queryset.filter(uploaded_by_customer=actor.customer))
    if actor.staff is not None:
        return list(queryset.filter(uploaded_by_staff=actor.staff))
    return []


def attach_photos(
    resolved: list[PreparedImage | OrderPhoto], *, kind: str, actor: Actor, **links: Any
) -> list[OrderPhoto]:
    photos = []
    for item in resolved:
        if isinstance(item, OrderPhoto):
            for name, value in links.items():
                setattr(item, name, value)
            item.kind = kind
            item.save(update_fields=[*links.keys(), "kind"])
            photos.append(item)
        else:
            photos.append(photo_save(prepared=item, kind=kind, actor=actor, **links))
    return photos
