"""Small building blocks every screen uses."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
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


def card_above_buttons(
    screen: QWidget, box: QWidget, *buttons: QWidget, spacing: int | None = None
) -> None:
    """Lay ``screen`` out as ``box`` above a centred row of ``buttons`` (``spacing`` apart;
    None: the style's), the two a little above the middle."""
    row = QHBoxLayout()
    if spacing is not None:
        row.setSpacing(spacing)
    row.addStretch(1)
    for widget in buttons:
        row.addWidget(widget)
    row.addStretch(1)
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(80, 40, 80, 40)
    layout.addStretch(1)
    layout.addWidget(box)
    layout.addSpacing(40)
    layout.addLayout(row)
    layout.addStretch(2)


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
    """A second-generation resident ID card (photo side; a contactless card: no chip to
    see) being laid on the terminal's reader, with an arrow: where the card goes."""

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
        self._reader(painter)
        self._card(painter, QRectF(110, 8, 200, 126))
        arrow = QPen(QColor(theme.RED), 7)
        arrow.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(arrow)
        painter.drawLine(QPointF(210, 146), QPointF(210, 176))
        painter.drawLine(QPointF(198, 164), QPointF(210, 178))
        painter.drawLine(QPointF(222, 164), QPointF(210, 178))
        painter.end()

    @staticmethod
    def _reader(painter: QPainter) -> None:
        """The terminal's reader: a dark plate with a marked area and the contactless sign."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.BLUE_DARK))
        painter.drawRoundedRect(QRectF(40, 188, 340, 100), 18, 18)
        area = QRectF(96, 198, 228, 80)
        painter.setBrush(QColor("#2F6FC4"))
        painter.drawRoundedRect(area, 10, 10)
        waves = QPen(QColor(theme.WHITE), 3)
        waves.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(waves)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for radius in (8, 16, 24):
            box = QRectF(128 - radius, 238 - radius, 2 * radius, 2 * radius)
            painter.drawArc(box, -45 * 16, 90 * 16)
        font = QFont(painter.font())
        font.setPixelSize(24)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(theme.WHITE))
        painter.drawText(area.adjusted(60, 0, 0, 0), Qt.AlignmentFlag.AlignCenter, "读卡区")

    @staticmethod
    def _card(painter: QPainter, rect: QRectF) -> None:
        """The photo side: name/sex/birth/address lines on the left, the photo on the right,
        the citizen number along the bottom (drawn as bars: no one's data)."""
        painter.setPen(QPen(QColor("#8FA9C9"), 2))
        painter.setBrush(QColor("#EEF3F6"))
        painter.drawRoundedRect(rect, 10, 10)
        x, y = rect.x(), rect.y()
        font = QFont(painter.font())
        font.setPixelSize(9)
        painter.setFont(font)
        for row, caption in enumerate(("姓名", "性别", "出生", "住址")):
            top = y + 14 + row * 18
            painter.setPen(QColor("#3F6E9E"))
            painter.drawText(QRectF(x + 10, top, 26, 12), Qt.AlignmentFlag.AlignLeft, caption)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#9AABBE"))
            painter.drawRoundedRect(QRectF(x + 38, top + 3, 74 - row * 6, 7), 3, 3)
        painter.drawRoundedRect(QRectF(x + 38, y + 88, 60, 7), 3, 3)  # the address's 2nd line
        photo = QRectF(x + 130, y + 14, 56, 72)
        painter.setBrush(QColor("#D8E4EE"))
        painter.drawRect(photo)
        painter.setBrush(QColor("#7F95AE"))
        painter.drawEllipse(QPointF(photo.center().x(), y + 38), 12, 14)
        painter.drawRoundedRect(QRectF(photo.x() + 10, y + 56, 36, 30), 14, 14)
        painter.setPen(QColor("#3F6E9E"))
        painter.drawText(
            QRectF(x + 10, y + 104, 60, 12), Qt.AlignmentFlag.AlignLeft, "公民身份号码"
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#5E738C"))
        painter.drawRoundedRect(QRectF(x + 72, y + 106, 114, 8), 3, 3)
