"""quizkit/settings.py: config.yaml is checked key by key, the data folder follows the platform's rules, and
QUIZKIT_NOW sets the clock."""

from datetime import datetime, timezone

import pytest

from quizkit import settings
from quizkit.errors import QuizkitError

pytestmark = pytest.mark.torch_free


def test_no_file_is_the_defaults(tmp_path):
    assert settings.load_settings(tmp_path / "config.yaml") == settings.Settings()


def test_known_keys_are_read_and_converted(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("new_per_day: 5\ndesired_retention: 0.85\nworker_idle_minutes: 0\nrollover_hour: 6.0\n")
    s = settings.load_settings(p)
    assert (s.new_per_day, s.desired_retention, s.worker_idle_minutes, s.rollover_hour) == (5, 0.85, 0.0, 6)
    assert isinstance(s.rollover_hour, int) and s.reviews_per_day == 200


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("new_per_dya: 5\n", "unknown setting 'new_per_dya'"),
        ("rollover_hour: 24\n", "'rollover_hour' must be a number from 0 to 23, not 24"),
        ("new_per_day: 2.5\n", "'new_per_day' must be a number"),
        ("new_per_day: true\n", "'new_per_day' must be a number"),
        ("desired_retention: '0.9'\n", "'desired_retention' must be a number from 0.7 to 0.99"),
        ("- a list\n", "must be a mapping"),
        ("a: [\n", ":2: bad YAML"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file(tmp_path, text, says):
    p = tmp_path / "config.yaml"
    p.write_text(text)
    with pytest.raises(QuizkitError) as e:
        settings.load_settings(p)
    assert says in str(e.value) and str(p) in str(e.value) and "\n" not in str(e.value)


def test_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "qk"))
    assert settings.data_dir() == tmp_path / "qk"
    monkeypatch.delenv("QUIZKIT_HOME")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings.data_dir() == tmp_path / "cfg" / "quizkit"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert settings.data_dir() == tmp_path / ".config" / "quizkit"
    monkeypatch.setattr("sys.platform", "darwin")
    assert settings.data_dir() == tmp_path / "Library" / "Application Support" / "quizkit"


def test_xdg_ignores_a_relative_path(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "rel/cache")
    assert settings.xdg("XDG_CACHE_HOME", ".cache") == tmp_path / ".cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "abs"))
    assert settings.xdg("XDG_CACHE_HOME", ".cache") == tmp_path / "abs"


def test_quizkit_now_sets_the_clock_in_utc(monkeypatch):
    monkeypatch.setenv("QUIZKIT_NOW", "2026-11-26T10:00:00+01:00")
    assert settings.now() == datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
    monkeypatch.setenv("QUIZKIT_NOW", "2026-11-26T09:00:00Z")
    assert settings.now() == datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
    monkeypatch.setenv("QUIZKIT_NOW", "next tuesday")
    with pytest.raises(QuizkitError) as e:
        settings.now()
    assert "QUIZKIT_NOW must be an ISO 8601 time" in str(e.value)
    monkeypatch.delenv("QUIZKIT_NOW")
    assert settings.now().tzinfo is timezone.utc
