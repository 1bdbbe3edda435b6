"""What a person sees, checked on every screen in both orientations and in 长辈模式: nothing
cut off, nothing overlapping, nothing outside the window, large enough to read and to touch,
and every text at least 4.5:1 against what it is drawn on (WCAG 2 contrast)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from ui import theme
from ui.demo_panel import DemoPanel
from ui.screenshots import walk_screens

MIN_BODY_PX = 28
MIN_ELDER_PX = 40
MIN_TOUCH_PX = 80
MIN_CONTRAST = 4.5


def luminance(color: QColor) -> float:
    """WCAG 2 relative luminance."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(color.redF())
        + 0.7152 * linear(color.greenF())
        + 0.0722 * linear(color.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast(QColor("#000000"), QColor("#FFFFFF")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#FFFFFF")) == pytest.approx(4.48, abs=0.01)


RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
COLOR = re.compile(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{6})")
BACKGROUND = re.compile(r"background(?:-color)?:\s*(#[0-9A-Fa-f]{6})")


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_every_text_colour_the_stylesheet_sets_on_a_background_contrasts(elder: bool) -> None:
    low = []
    for selector, body in RULE.findall(theme.stylesheet(elder)):
        text, ground = COLOR.search(body), BACKGROUND.search(body)
        if text and ground:
            ratio = contrast(QColor(text[1]), QColor(ground[1]))
            if ratio < MIN_CONTRAST:
                low.append(f"{selector.strip()}: {text[1]} on {ground[1]} is {ratio:.2f}:1")
    assert low == []


def background_under(image: QImage, rect: QRect) -> QColor:
    """The colour most of ``rect`` is painted in: what the text is drawn on."""
    counts: Counter[int] = Counter()
    step = max(1, min(rect.width(), rect.height()) // 12)
    for x in range(rect.left(), rect.right() + 1, step):
        for y in range(rect.top(), rect.bottom() + 1, step):
            if image.valid(x, y):
                counts[image.pixel(x, y)] += 1
    return QColor.fromRgb(counts.most_common(1)[0][0])


def text_colour(widget: QWidget) -> QColor:
    group = QPalette.ColorGroup.Active if widget.isEnabled() else QPalette.ColorGroup.Disabled
    return widget.palette().color(group, widget.foregroundRole())


def overlay(widget: QWidget) -> bool:
    """Inside a panel shown over the screen (the demo cards): it may cover what is below."""
    parent: QWidget | None = widget
    while parent is not None:
        if isinstance(parent, DemoPanel):
            return True
        parent = parent.parentWidget()
    return False


def visible(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems_on(window: QWidget, min_px: int = MIN_BODY_PX) -> list[str]:
    found = []
    frame = window.rect()
    image = window.grab().toImage()
    texts: list[tuple[QWidget, str]] = []
    for label in window.findChildren(QLabel):
        if not visible(label, window) or not label.text():
            continue
        text = label.text()
        texts.append((label, text))
        if label.font().pixelSize() < min_px:
            found.append(f"{text!r}: {label.font().pixelSize()} px text")
        needed = label.fontMetrics().horizontalAdvance(text)
        if not label.wordWrap() and label.contentsRect().width() < needed:
            found.append(f"{text!r}: {label.contentsRect().width()} px wide, needs {needed}")
        if label.wordWrap() and label.height() < label.heightForWidth(label.width()):
            found.append(f"{text!r}: wrapped text taller than its label")
        top_left = label.mapTo(window, label.rect().topLeft())
        if not inside_scroll_area(label) and not frame.contains(top_left):
            found.append(f"{text!r}: outside the window")
    for button in window.findChildren(QAbstractButton):
        if not visible(button, window):
            continue
        texts.append((button, button.text()))
        if button.text() and button.font().pixelSize() < min_px:
            found.append(f"button {button.text()!r}: {button.font().pixelSize()} px text")
        if button.height() < MIN_TOUCH_PX:
            found.append(f"button {button.text()!r}: {button.height()} px high")
        needed = button.fontMetrics().horizontalAdvance(button.text())
        if button.width() < needed:
            found.append(f"button {button.text()!r}: {button.width()} px wide, needs {needed}")
    found += overlaps(window, texts) + low_contrast(window, image, texts)
    return found


def on_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def overlaps(window: QWidget, texts: list[tuple[QWidget, str]]) -> list[str]:
    """Two texts drawn over each other (not in a scroll area, which clips them; not a panel
    shown over the screen on purpose)."""
    placed = [
        (on_window(w, window), text, overlay(w))
        for w, text in texts
        if text and not inside_scroll_area(w)
    ]
    found = []
    for index, (rect, text, over) in enumerate(placed):
        for other_rect, other, other_over in placed[index + 1 :]:
            if over is other_over and rect.intersects(other_rect):
                found.append(f"{text!r} overlaps {other!r}")
    return found


def low_contrast(window: QWidget, image: QImage, texts: list[tuple[QWidget, str]]) -> list[str]:
    """Each text's colour (the theme's, from the stylesheet) against the colour it is drawn
    on (the window as painted)."""
    found = []
    scale = image.width() / max(1, window.width())
    for widget, text in texts:
        if not text or (inside_scroll_area(widget) and not widget.visibleRegion().boundingRect()):
            continue
        rect = on_window(widget, window).intersected(window.rect())
        if rect.isEmpty():
            continue
        scaled = QRect(
            int(rect.x() * scale),
            int(rect.y() * scale),
            int(rect.width() * scale),
            int(rect.height() * scale),
        )
        fg, bg = text_colour(widget), background_under(image, scaled)
        ratio = contrast(fg, bg)
        if ratio < MIN_CONTRAST:
            found.append(f"{text!r}: {fg.name()} on {bg.name()} is {ratio:.2f}:1")
    return found


def test_every_screen_fits_in_both_orientations_and_elder_mode() -> None:
    problems = {}
    screens = 0
    for name, window in walk_screens():
        screens += 1
        # either way: a screen too wide for portrait widens the window past the display
        assert window.size().toTuple() in ((1920, 1080), (1080, 1920)), (
            f"{name}: the window grew to {window.size()}"
        )
        found = problems_on(window, MIN_ELDER_PX if "-elder-" in name else MIN_BODY_PX)
        if found:
            problems[name] = found
    # 49 residents' screens in both orientations, normal and 长辈模式; the technician's 12
    assert screens == 2 * 2 * 49 + 2 * 12
    assert problems == {}


def test_the_checks_see_low_contrast_and_overlapping_text(qtbot: QtBot) -> None:
    window = QWidget()
    window.setStyleSheet(theme.stylesheet() + "QLabel#faint { color: #9AA7B8; }")
    window.resize(800, 400)
    faint = QLabel("看不清", window)
    faint.setObjectName("faint")
    faint.setGeometry(10, 10, 300, 60)
    QLabel("压在上面", window).setGeometry(200, 40, 300, 60)
    qtbot.addWidget(window)
    window.show()
    found = problems_on(window)
    assert any(p.startswith("'看不清': #9aa7b8 on") for p in found)
    assert "'看不清' overlaps '压在上面'" in found
