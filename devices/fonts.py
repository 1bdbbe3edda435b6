"""Where the CJK font lives: reportlab, Pillow and the receipt raster all use this one."""

from __future__ import annotations

from pathlib import Path

CJK_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)


def cjk_font_path() -> Path:
    """The first installed CJK TrueType font; raise FileNotFoundError naming the package."""
    for path in CJK_FONT_CANDIDATES:
        if path.exists():
            return path
    raise FileNotFoundError("no CJK font found: install the Debian package fonts-wqy-zenhei")
