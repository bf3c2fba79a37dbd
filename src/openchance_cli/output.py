"""Printing data: rich tables for people, ``--json`` for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

console = Console()

JSON_OPTION_HELP = "Print machine-readable JSON instead of a table."


def print_json(data: BaseModel | Sequence[BaseModel] | dict[str, Any] | list[Any]) -> None:
    if isinstance(data, BaseModel):
        payload: Any = data.model_dump(mode="json")
    elif isinstance(data, list | tuple) and all(isinstance(item, BaseModel) for item in data):
        payload = [item.model_dump(mode="json") for item in data]
    else:
        payload = data
    # Plain print: rich would wrap long lines and break the JSON.
    print(json.dumps(payload, indent=2, sort_keys=True, default=str))


def format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, list):
        return ", ".join(format_value(item) for item in value) or "—"
    return str(value)


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        # fold, not an ellipsis: an id or address cut short cannot be pasted into a command.
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(format_value(value) for value in row))
    console.print(table)


def print_fields(title: str, fields: dict[str, Any]) -> None:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in fields.items():
        table.add_row(name, format_value(value))
    console.print(table)
