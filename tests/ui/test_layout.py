"""What a person sees, checked on every screen in both orientations: nothing cut off, nothing
outside the window, large enough to read and to touch."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget

from ui.screenshots import walk_screens

MIN_BODY_PX = 28
MIN_TOUCH_PX = 80


def visible(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems_on(window: QWidget) -> list[str]:
    found = []
    frame = window.rect()
    for label in window.findChildren(QLabel):
        if not visible(label, window) or not label.text():
            continue
        text = label.text()
        if label.font().pixelSize() < MIN_BODY_PX:
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
        if button.height() < MIN_TOUCH_PX:
            found.append(f"button {button.text()!r}: {button.height()} px high")
        needed = button.fontMetrics().horizontalAdvance(button.text())
        if button.width() < needed:
            found.append(f"button {button.text()!r}: {button.width()} px wide, needs {needed}")
    return found


def test_every_screen_fits_in_both_orientations() -> None:
    problems = {}
    screens = 0
    for name, window in walk_screens():
        screens += 1
        assert window.height() in (1080, 1920), f"{name}: the window grew to {window.size()}"
        found = problems_on(window)
        if found:
            problems[name] = found
    assert screens == 44 + 2 * 12  # the residents' screens, then the technician's
    assert problems == {}
