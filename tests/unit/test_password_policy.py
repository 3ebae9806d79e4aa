import pytest

from wiwebb.domain.password_policy import Applicant, common_passwords, password_problems

SHORT = "This password is too short. It must contain at least 8 characters."


def test_a_good_password_has_no_problems():
    assert password_problems("correct-horse-9", Applicant("alice", email="alice@acme.test")) == []


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("abc", [SHORT, "This password is too common."]),
        ("password", ["This password is too common."]),
        ("PassWord ", ["This password is too common."]),
        ("12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("8675309", [SHORT, "This password is too common.", "This password is entirely numeric."]),
        ("48213957261", ["This password is entirely numeric."]),
    ],
)
def test_django_rules_and_messages(password, problems):
    assert password_problems(password) == problems


@pytest.mark.parametrize(
    ("password", "verbose_name"),
    [
        ("alice-liddell", "username"),
        ("wonderland1", "first name"),
        ("liddell-rabbit", "username"),
        ("rabbit-hole", "last name"),
        ("alice@acme.test", "email address"),
        ("acme.test!", "email address"),
    ],
)
def test_too_similar_to_an_attribute(password, verbose_name):
    # Expected messages as Django 5.2 gives them for the same user and passwords.
    who = Applicant("alice-liddell", "Wonderland", "Liddell-Rabbit", "al@acme.test")
    assert password_problems(password, who)[0] == f"The password is too similar to the {verbose_name}."


def test_the_list_is_djangos():
    assert len(common_passwords()) > 19_000
    assert "qwerty" in common_passwords()
