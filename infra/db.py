"""Database URL helpers shared by every side: one DSN format, two drivers' spellings."""

from sqlalchemy.engine import make_url


def sqlalchemy_url(url: str) -> str:
    """``postgresql+psycopg://...`` whatever spelling of a PostgreSQL URL was given."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def libpq_dsn(url: str) -> str:
    """``postgresql://...`` for psycopg and libpq tools, whatever spelling was given."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def with_credentials(url: str, user: str, password: str) -> str:
    """The same server and database, as another role."""
    parsed = make_url(url)
    return parsed.set(username=user, password=password).render_as_string(hide_password=False)
