"""Small building blocks every screen uses."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui import theme


def label(
    text: str = "",
    name: str = "",
    *,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    wrap: bool = True,
) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setAlignment(align)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def centered(text: str = "", name: str = "") -> QLabel:
    return label(text, name, align=Qt.AlignmentFlag.AlignCenter)


def button(text: str, name: str = "") -> QPushButton:
    widget = QPushButton(text)
    if name:
        widget.setObjectName(name)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return widget


def restyle(widget: QWidget, name: str) -> None:
    """Give ``widget`` another theme object name and apply that style now."""
    widget.setObjectName(name)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def card(name: str = "card") -> QFrame:
    frame = QFrame()
    frame.setObjectName(name)
    return frame


def touch_scroll_area() -> tuple[QScrollArea, QVBoxLayout]:
    """A vertically scrolling area a finger can drag, and the layout to fill it with."""
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 10, 0)
    layout.setSpacing(16)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(body)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return scroll, layout


def clear_layout(layout: QLayout) -> None:
    """Remove every widget from ``layout`` now (not at the next event loop turn)."""
    while (item := layout.takeAt(0)) is not None:
        widget = item.widget()
        child = item.layout()
        if widget is not None:
            widget.setParent(None)  # gone from the tree now, freed by Qt later
            widget.deleteLater()
        elif child is not None:
            clear_layout(child)


class IdCardPicture(QWidget):
    """A drawn resident ID card lying on a reader, with an arrow: where to put the card."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        scale = min(w / 420, h / 300)
        painter.translate((w - 420 * scale) / 2, (h - 300 * scale) / 2)
        painter.scale(scale, scale)
        # the reader
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.BLUE_DARK))
        painter.drawRoundedRect(QRectF(40, 200, 340, 80), 18, 18)
        painter.setBrush(QColor("#2F6FC4"))
        painter.drawRoundedRect(QRectF(70, 214, 280, 50), 10, 10)
        # the card, hovering above the reader
        painter.setBrush(QColor(theme.WHITE))
        painter.setPen(QPen(QColor(theme.BLUE), 4))
        painter.drawRoundedRect(QRectF(90, 20, 240, 150), 14, 14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#D9A521"))
        painter.drawRoundedRect(QRectF(110, 55, 44, 34), 6, 6)
        painter.setBrush(QColor(theme.LINE))
        for i, width in enumerate((130, 110, 140)):
            painter.drawRoundedRect(QRectF(170, 50 + i * 26, width, 12), 6, 6)
        painter.drawRoundedRect(QRectF(110, 130, 200, 14), 7, 7)
        # arrow down onto the reader
        arrow = QPen(QColor(theme.RED), 8)
        arrow.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(arrow)
        painter.drawLine(210, 172, 210, 196)
        painter.drawLine(198, 184, 210, 198)
        painter.drawLine(222, 184, 210, 198)
        font = QFont(painter.font())
        font.setPixelSize(22)
        painter.setFont(font)
        painter.setPen(QColor(theme.WHITE))
        painter.drawText(QRectF(70, 214, 280, 50), Qt.AlignmentFlag.AlignCenter, "读卡区")
        painter.end()
