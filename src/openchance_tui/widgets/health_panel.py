"""The installation's health: the overall status and one line per component."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label

from openchance.health.schemas import HealthReport, HealthStatus
from openchance_tui.styles import component_css


def status_class(status: HealthStatus) -> str:
    """The CSS class that colours a status (``status-ok``, ``status-degraded``, ``status-down``)."""
    return f"status-{status.value}"


class HealthPanel(Vertical):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Health"

    report: reactive[HealthReport | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        report = self.report
        if report is None:
            yield Label("checking…", id="health-overall")
            return
        checked_at = report.checked_at.strftime("%H:%M:%S UTC")
        yield Label(
            f"{report.status.value.upper()}  (checked {checked_at})",
            id="health-overall",
            classes=status_class(report.status),
        )
        for component in report.components:
            with Horizontal(
                id=f"health-{component.name}",
                classes=f"health-component {status_class(component.status)}",
            ):
                yield Label(component.name, classes="component-name", markup=False)
                yield Label(component.status.value, classes="component-status")
                yield Label(component.detail, classes="component-detail", markup=False)
