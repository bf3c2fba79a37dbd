"""Each component keeps its styles in a ``.tcss`` file beside its module."""

from pathlib import Path


def component_css(module_file: str) -> str:
    """The ``.tcss`` file next to ``module_file``, for a widget's ``DEFAULT_CSS``.

    Screens and the app name their file in ``CSS_PATH``; widgets cannot, so they read it here.
    """
    return Path(module_file).with_suffix(".tcss").read_text(encoding="utf-8")
