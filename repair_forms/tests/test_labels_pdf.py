"""The QR-label PDF embeds its font: every viewer and printer shows the Chinese text and the machine
number, checked the way a printer sees it (Poppler renders the page; its text layer is read back)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from repair_forms.labels import labels_pdf
from repair_forms.tests.helpers import Cast


def test_the_label_pdf_embeds_a_cjk_font_subset_and_prints_the_machine_number_and_chinese_name(
    cast: Cast, tmp_path: Path
) -> None:
    asset = cast.asset
    pdf = labels_pdf([asset], portal_base="https://acme.baoxiu.test", title="甲维修服务中心")
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert font_rows, fonts
    for row in font_rows:  # columns: name type encoding emb sub uni
        assert "yes yes" in " ".join(row.split()[-5:-2]), row  # embedded, as a subset

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert asset.machine_no and asset.machine_no in text
    assert "甲维修服务中心" in text and "扫码报修" in text and "机器编号" in text

    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 1000  # Poppler rendered the page without errors
