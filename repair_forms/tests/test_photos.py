"""Photo uploads: content-checked, limited, re-encoded without EXIF."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from repair_forms.photos import MAX_OUTPUT_SIDE, prepare_image


def _upload(image: Image.Image, fmt: str, **save: object) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return SimpleUploadedFile(f"x.{fmt.lower()}", buffer.getvalue())


def test_camera_metadata_is_dropped_and_rotation_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (23.0, 7.0, 0.0)}  # GPS position of the customer's office
    prepared = prepare_image(_upload(Image.new("RGB", (400, 200), "white"), "JPEG", exif=exif))

    result = Image.open(io.BytesIO(prepared.content))
    assert result.format == "JPEG"
    assert (result.width, result.height) == (200, 400) == (prepared.width, prepared.height)
    assert not result.getexif()


def test_large_photos_are_scaled_down_and_transparency_flattened() -> None:
    prepared = prepare_image(_upload(Image.new("RGBA", (5000, 1000), (0, 0, 0, 0)), "PNG"))
    result = Image.open(io.BytesIO(prepared.content))
    assert max(result.size) == MAX_OUTPUT_SIDE and result.mode == "RGB"
    assert result.getpixel((10, 10)) == (255, 255, 255)


def test_too_many_pixels_are_refused_before_decoding() -> None:
    huge = _upload(Image.new("1", (9000, 6000)), "PNG")  # 54 MP, a few KB on disk
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        prepare_image(huge)
    assert excinfo.value.messages == ["An image can have at most 40 megapixels."]


def test_files_over_ten_megabytes_are_refused() -> None:
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        prepare_image(big)
    assert excinfo.value.messages == ["图片最大 10 MB。"]


@pytest.mark.parametrize("payload", [b"", b"GIF89a broken", b"%PDF-1.4 not an image"])
def test_broken_or_foreign_files_are_refused(payload: bytes) -> None:
    with pytest.raises(ValidationError):
        prepare_image(SimpleUploadedFile("x.jpg", payload))
