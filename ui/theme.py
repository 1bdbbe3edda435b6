"""One theme for every screen: government-service blue and white, high contrast.

Sizes are pixels at 1080 p (the short side of every supported screen); body text is at
least 28 px and touch targets at least 80 px high. ``stylesheet(elder=True)`` is 长辈模式:
the same sheet with every text size scaled up to at least 40 px and muted grey text made
full ink, so screens styled only through object names here get it without a change.
"""

import re

BLUE = "#0B4EA2"
BLUE_DARK = "#073B7C"
BLUE_LIGHT = "#E8F0FB"
PAGE = "#F4F7FB"
WHITE = "#FFFFFF"
INK = "#1A2433"
INK_MUTED = "#4A5668"
LINE = "#C9D6E8"
RED = "#C62828"
RED_LIGHT = "#FDECEA"
GREEN = "#1B7F3B"
GREEN_LIGHT = "#E7F5EC"
GOLD = "#955800"
GOLD_LIGHT = "#FFF4E0"
DEMO = "#8A4B00"

BODY_PX = 30
SMALL_PX = 28
TITLE_PX = 48
HUGE_PX = 96
TOUCH_PX = 96
KEY_PX = 76
"""An on-screen code key's content, both ways (the code keyboard: eleven keys across a portrait
screen, three rows under the code on a landscape one in 长辈模式): with its 3 px border 82 px,
above the 80 px touch minimum."""
KEY_WIDTH_PX = 180
"""A key of the on-screen numeric keypads."""
FACE_HINT_PX = 64
"""The face check's guidance: read from arm's length while looking at the camera."""

STYLESHEET = f"""
* {{ font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; color: {INK}; }}
QWidget#root {{ background: {PAGE}; }}
QFrame#header {{ background: {BLUE}; }}
QFrame#header QLabel {{ color: {WHITE}; }}
QLabel#brand {{ font-size: 34px; font-weight: bold; }}
QLabel#headerTitle {{ font-size: 32px; }}
QLabel#headerClock {{ font-size: 34px; font-weight: bold; }}
QFrame#footer {{ background: {WHITE}; border-top: 2px solid {LINE}; }}
QLabel#countdown {{ font-size: {SMALL_PX}px; color: {INK_MUTED}; }}
QLabel {{ font-size: {BODY_PX}px; background: transparent; }}
QLabel#title {{ font-size: {TITLE_PX}px; font-weight: bold; color: {BLUE_DARK}; }}
QLabel#subtitle {{ font-size: 36px; color: {INK}; }}
QLabel#muted {{ font-size: {SMALL_PX}px; color: {INK_MUTED}; }}
QLabel#hugeClock {{ font-size: {HUGE_PX}px; font-weight: bold; color: {BLUE_DARK}; }}
QLabel#hall {{ font-size: 40px; color: {BLUE}; font-weight: bold; }}
QLabel#faceHint {{ font-size: {FACE_HINT_PX}px; font-weight: bold; color: {BLUE_DARK}; }}
QLabel#prompt {{ font-size: 44px; font-weight: bold; color: {BLUE_DARK}; }}
QLabel#step {{ font-size: {BODY_PX}px; color: {BLUE_DARK}; background: {BLUE_LIGHT};
    border-radius: 12px; padding: 14px 24px; }}
QFrame#card {{ background: {WHITE}; border: 2px solid {LINE}; border-radius: 16px; }}
QFrame#errorCard {{ background: {WHITE}; border: 3px solid {RED}; border-radius: 16px; }}
QFrame#doneCard {{ background: {WHITE}; border: 3px solid {GREEN}; border-radius: 16px; }}
QLabel#fieldName {{ font-size: {SMALL_PX}px; color: {INK_MUTED}; }}
QLabel#fieldValue {{ font-size: {BODY_PX}px; }}
QLabel#sectionTitle {{ font-size: 38px; font-weight: bold; color: {BLUE_DARK}; }}
QLabel#badgeGood {{ font-size: {BODY_PX}px; color: {GREEN}; background: {GREEN_LIGHT};
    border-radius: 10px; padding: 8px 18px; font-weight: bold; }}
QLabel#badgeBad {{ font-size: {BODY_PX}px; color: {RED}; background: {RED_LIGHT};
    border-radius: 10px; padding: 8px 18px; font-weight: bold; }}
QLabel#badgeHonour {{ font-size: {BODY_PX}px; color: {GOLD}; background: {GOLD_LIGHT};
    border-radius: 10px; padding: 8px 18px; font-weight: bold; }}
QLabel#outage {{ font-size: {BODY_PX}px; font-weight: bold; color: {WHITE}; background: {RED};
    border-radius: 12px; padding: 14px 24px; }}
QLabel#errorTitle {{ font-size: {TITLE_PX}px; font-weight: bold; color: {RED}; }}
QLabel#doneTitle {{ font-size: {TITLE_PX}px; font-weight: bold; color: {GREEN}; }}
QPushButton {{ font-size: 32px; min-height: {TOUCH_PX}px; padding: 0 36px; border-radius: 14px;
    background: {WHITE}; color: {BLUE_DARK}; border: 3px solid {BLUE}; font-weight: bold; }}
QPushButton:pressed {{ background: {BLUE_LIGHT}; }}
QPushButton:disabled {{ color: {INK_MUTED}; border-color: {LINE}; background: {PAGE}; }}
QPushButton#primary {{ background: {BLUE}; color: {WHITE}; border: 3px solid {BLUE}; }}
QPushButton#primary:pressed {{ background: {BLUE_DARK}; }}
QPushButton#tile {{ text-align: left; padding: 12px 24px; font-size: {BODY_PX}px;
    font-weight: normal; color: {INK}; border: 2px solid {LINE}; min-height: 88px; }}
QPushButton#tileWarn {{ text-align: left; padding: 12px 24px; font-size: {BODY_PX}px;
    font-weight: bold; color: {RED}; border: 3px solid {RED}; min-height: 88px;
    background: {RED_LIGHT}; }}
QPushButton#demo {{ font-size: {SMALL_PX}px; min-height: 80px; padding: 0 18px; color: {DEMO};
    border: 2px dashed {DEMO}; background: #FFF8EE; font-weight: normal; }}
QFrame#demoPanel {{ background: #FFFDF8; border: 3px dashed {DEMO}; border-radius: 16px; }}
QLabel#demoBadge {{ font-size: {SMALL_PX}px; color: {WHITE}; background: {DEMO};
    border-radius: 8px; padding: 6px 14px; }}
QProgressBar {{ min-height: 28px; max-height: 28px; border: 2px solid {LINE}; border-radius: 14px;
    background: {WHITE}; }}
QProgressBar::chunk {{ background: {BLUE}; border-radius: 12px; }}
QScrollArea {{ background: transparent; border: none; }}
QScrollBar:vertical {{ background: {BLUE_LIGHT}; width: 14px; margin: 0; border-radius: 7px; }}
QScrollBar::handle:vertical {{ background: {BLUE}; min-height: 60px; border-radius: 7px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QLabel#badgeMuted {{ font-size: {BODY_PX}px; color: {INK_MUTED}; background: {PAGE};
    border-radius: 10px; padding: 8px 18px; font-weight: bold; }}
QFrame#warnCard {{ background: {WHITE}; border: 3px solid {GOLD}; border-radius: 16px; }}
QLabel#warnTitle {{ font-size: {TITLE_PX}px; font-weight: bold; color: {GOLD}; }}
QPushButton#tileAttention {{ text-align: left; padding: 12px 24px; font-size: {BODY_PX}px;
    font-weight: bold; color: {GOLD}; border: 3px solid {GOLD}; min-height: 88px;
    background: {GOLD_LIGHT}; }}
QPushButton#tileGood {{ text-align: left; padding: 12px 24px; font-size: {BODY_PX}px;
    font-weight: bold; color: {GREEN}; border: 3px solid {GREEN}; min-height: 88px;
    background: {GREEN_LIGHT}; }}
QPushButton#navItem, QPushButton#navCurrent {{ font-size: {SMALL_PX}px; min-height: 80px;
    padding: 0 20px; text-align: left; }}
QPushButton#navItem {{ font-weight: normal; color: {INK}; border: 2px solid {LINE}; }}
QPushButton#navCurrent {{ background: {BLUE}; color: {WHITE}; }}
QPushButton#reason {{ padding: 16px 24px; font-size: 34px; min-height: 140px; }}
QPushButton#sectionTile, QPushButton#sectionTileWarn {{ text-align: left; padding: 0 24px;
    font-size: {BODY_PX}px; min-height: 80px; }}
QPushButton#sectionTile {{ font-weight: normal; color: {INK}; border: 2px solid {LINE}; }}
QPushButton#sectionTileWarn {{ color: {RED}; border: 3px solid {RED}; background: {RED_LIGHT}; }}
QLabel#conclusionBad {{ font-size: 40px; font-weight: bold; color: {RED}; }}
QLabel#conclusionGood {{ font-size: 40px; font-weight: bold; color: {GREEN}; }}
QFrame#recordRow {{ background: {WHITE}; border: 2px solid {LINE}; border-radius: 12px;
    min-height: {TOUCH_PX}px; }}
QLabel#rowWhat {{ font-size: {BODY_PX}px; font-weight: bold; color: {INK}; }}
QLabel#rowOpen {{ font-size: {SMALL_PX}px; color: {BLUE}; font-weight: bold; }}
QPlainTextEdit#log {{ font-family: "DejaVu Sans Mono", "WenQuanYi Zen Hei Mono", monospace;
    font-size: 20px; background: {WHITE}; border: 2px solid {LINE}; border-radius: 12px; }}
QPushButton#key {{ font-size: 40px; min-height: {KEY_PX}px; min-width: {KEY_PX}px;
    padding: 0; font-family: "DejaVu Sans Mono", "WenQuanYi Zen Hei Mono", monospace; }}
QLabel#codeDisplay {{ font-size: 60px; font-weight: bold; color: {BLUE_DARK};
    font-family: "DejaVu Sans Mono", "WenQuanYi Zen Hei Mono", monospace; background: {WHITE};
    border: 3px solid {BLUE}; border-radius: 14px; padding: 12px 24px; }}
QLabel#codePlaceholder {{ font-size: 40px; color: {INK_MUTED}; background: {WHITE};
    border: 3px solid {BLUE}; border-radius: 14px; padding: 12px 24px; }}
QPushButton#chosen {{ background: {BLUE}; color: {WHITE}; }}
QLabel#inputError {{ font-size: {BODY_PX}px; font-weight: bold; color: {RED}; }}
QLabel#stepPending {{ font-size: {BODY_PX}px; color: {INK_MUTED}; background: {PAGE};
    border: 2px dashed {LINE}; border-radius: 12px; padding: 12px 22px; }}
QPushButton#elder, QPushButton#elderOn {{ font-size: 36px; min-height: 110px; padding: 0 40px; }}
QPushButton#elderOn {{ background: {GOLD_LIGHT}; color: {INK}; border: 3px solid {GOLD}; }}
QPushButton#volume {{ font-size: {SMALL_PX}px; min-height: 80px; padding: 0 24px; }}
"""

ELDER_SCALE = 1.15
ELDER_MIN_PX = 40


def elder_px(px: int) -> int:
    """A text size in 长辈模式."""
    return max(ELDER_MIN_PX, round(px * ELDER_SCALE))


def stylesheet(elder: bool = False) -> str:
    """The window's stylesheet; ``elder``: 长辈模式 (see the module docstring)."""
    if not elder:
        return STYLESHEET
    larger = re.sub(
        r"font-size: (\d+)px", lambda m: f"font-size: {elder_px(int(m[1]))}px", STYLESHEET
    )
    return larger.replace(f"color: {INK_MUTED}", f"color: {INK}")
