"""政策问答助手: grounded question answering over Chinese health-policy documents.

Importing the package is cheap; models, faiss, gradio and torch load only where they are used.

>>> from assistant import load_settings
>>> load_settings().top_k
5
"""
from __future__ import annotations

__version__ = "0.1.0"

from .config import Settings, load_settings  # noqa: E402  (light: stdlib only)

__all__ = ["Settings", "load_settings", "__version__", "Assistant"]


def __getattr__(name: str):
    if name == "Assistant":
        from .pipeline import Assistant

        return Assistant
    raise AttributeError(name)
