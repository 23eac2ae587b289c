"""Shared fixtures: the bundled corpus indexed with the fake embedder (fast, offline, deterministic)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def settings_fake(tmp_path_factory):
    """Settings that use the fake embedder and a session-wide index folder."""
    base = tmp_path_factory.mktemp("idx")
    return load_settings(
        env={},
        overrides={"embedder": "fake", "index_dir": str(base / "index"), "corpus_dir": str(CORPUS), "data_dir": str(base / "data")},
    )


@pytest.fixture(scope="session")
def built_index(settings_fake):
    """Path of an index of the bundled corpus built once per session with the fake embedder."""
    from assistant.pipeline import build_from_settings

    build_from_settings(settings_fake)
    return Path(settings_fake.index_dir)


@pytest.fixture(scope="session")
def assistant(settings_fake, built_index):
    """A ready Assistant over the bundled corpus (fake embedder)."""
    from assistant.pipeline import Assistant

    return Assistant.from_settings(settings_fake, built_index)


@pytest.fixture()
def corpus_copy(tmp_path):
    """A writable copy of the bundled corpus for tests that add or remove files."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture(scope="session")
def assistant_over(tmp_path_factory):
    """A factory: an Assistant over a small corpus given as {file name: text} (fake embedder)."""
    from assistant.pipeline import Assistant, build_from_settings

    def make(files: dict[str, str], **overrides):
        base = tmp_path_factory.mktemp("corpus")
        corpus = base / "corpus"
        corpus.mkdir()
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        settings = load_settings(env={}, overrides={"embedder": "fake", "index_dir": str(base / "index"),
                                                     "corpus_dir": str(corpus), "data_dir": str(base / "data"),
                                                     **overrides})
        build_from_settings(settings)
        return Assistant.from_settings(settings, base / "index")

    return make
