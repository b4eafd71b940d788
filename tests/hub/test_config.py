"""Settings from SKILLWIRE_* variables: what load_settings accepts, and the ConfigError for what it rejects."""

from __future__ import annotations

import pytest

from hub.config import ConfigError, create_instance_dir, default_database_url, load_settings, redact_url

PASSWORD = "s3cret-password"


@pytest.fixture
def env(tmp_path):
    """Variables that keep every test's default database inside its own folder."""
    return {"SKILLWIRE_INSTANCE_DIR": str(tmp_path / "instance")}


@pytest.mark.parametrize("name, value", [
    ("SKILLWIRE_DATABASE_URL", f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:notaport/skillwire"),
    ("SKILLWIRE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:99999/skillwire"),
    ("SKILLWIRE_DATABASE_URL", f"postgresql+nodriver://postgres:{PASSWORD}@127.0.0.1/skillwire"),
    ("SKILLWIRE_DATABASE_URL", f"mysql://root:{PASSWORD}@127.0.0.1/skillwire"),
    ("SKILLWIRE_DATABASE_URL", "not a url"),
    ("SKILLWIRE_REDIS_URL", f"redis://user:{PASSWORD}@h:notaport/0"),
    ("SKILLWIRE_REDIS_URL", f"redis://:{PASSWORD}@127.0.0.1:6379/zero"),
    ("SKILLWIRE_REDIS_URL", f"http://:{PASSWORD}@127.0.0.1:6379/0"),
    ("SKILLWIRE_REDIS_URL", "unix://"),
    ("SKILLWIRE_PUBLIC_URL", "http://"),
    ("SKILLWIRE_PUBLIC_URL", "https://hub.example.com:port"),
    ("SKILLWIRE_PUBLIC_URL", "ftp://hub.example.com"),
    ("SKILLWIRE_ACCOUNT_HOMEPAGES", "notaurl=lms_username"),
    ("SKILLWIRE_ACCOUNT_HOMEPAGES", "https://=lms_username"),
    ("SKILLWIRE_BAMBOOHR_SUBDOMAIN", "acme/../evil"),
    ("SKILLWIRE_BAMBOOHR_SUBDOMAIN", "-acme"),
    ("SKILLWIRE_PERSONIO_BASE_URL", "https://"),
])
def test_invalid_setting_names_variable(env, name, value):
    with pytest.raises(ConfigError) as raised:
        load_settings({**env, name: value})

    assert str(raised.value).startswith(f"{name}:")
    assert PASSWORD not in str(raised.value)


def test_sqlite_url_in_missing_folder_rejected(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'typo' / 'skillwire.db'}"

    with pytest.raises(ConfigError) as raised:
        load_settings({**env, "SKILLWIRE_DATABASE_URL": url})

    assert str(raised.value).startswith("SKILLWIRE_DATABASE_URL:")
    assert not (tmp_path / "typo").exists()


def test_sqlite_url_in_existing_folder_accepted(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'skillwire.db'}"

    settings = load_settings({**env, "SKILLWIRE_DATABASE_URL": url})

    assert settings.database_url == url


def test_default_instance_folder_created(tmp_path):
    instance_dir = tmp_path / "a" / "b"
    settings = load_settings({"SKILLWIRE_INSTANCE_DIR": str(instance_dir)})

    create_instance_dir(settings)

    assert settings.database_url == default_database_url(instance_dir)
    assert instance_dir.is_dir()


def test_instance_dir_under_a_file_rejected(tmp_path):
    (tmp_path / "file").write_text("")

    with pytest.raises(ConfigError) as raised:
        load_settings({"SKILLWIRE_INSTANCE_DIR": str(tmp_path / "file" / "instance")})

    assert str(raised.value).startswith("SKILLWIRE_INSTANCE_DIR:")


def test_uncreatable_instance_dir_rejected():
    settings = load_settings({"SKILLWIRE_INSTANCE_DIR": "/proc/skillwire-instance"})

    with pytest.raises(ConfigError) as raised:
        create_instance_dir(settings)

    assert str(raised.value).startswith("SKILLWIRE_INSTANCE_DIR:")


def test_valid_urls_accepted(env):
    settings = load_settings({
        **env,
        "SKILLWIRE_REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:6379/3",
        "SKILLWIRE_PUBLIC_URL": "https://hub.example.com/",
        "SKILLWIRE_ACCOUNT_HOMEPAGES": "https://lms.example.com/=lms_username,http://moodle.example.org=moodle",
        "SKILLWIRE_BAMBOOHR_SUBDOMAIN": "acme-corp",
    })

    assert settings.public_url == "https://hub.example.com"
    assert settings.account_homepages == {"https://lms.example.com": "lms_username",
                                          "http://moodle.example.org": "moodle"}
    assert settings.bamboohr_subdomain == "acme-corp"


def test_redact_url_hides_password():
    assert redact_url(f"redis://user:{PASSWORD}@h:6379/0") == "redis://user:***@h:6379/0"
