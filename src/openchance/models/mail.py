"""Outgoing e-mail kept in the database (the embedded mail backend)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, UUIDPrimaryKey


class OutboundMail(UUIDPrimaryKey, Base):
    __tablename__ = "outbound_mail"

    to_address: Mapped[str] = mapped_column(String(320))
    from_address: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(80))
    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_outbound_mail_to", "to_address", "created_at"),)
