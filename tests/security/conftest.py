from tests.security.kit import dialog  # noqa: F401 - the fixture, for every test here
