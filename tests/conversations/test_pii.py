"""conversations.pii: what makes a post wait for a moderator, and what does not."""

import pytest

from conversations import pii


@pytest.mark.parametrize(
    "number",
    [
        "9434765919",  # NHS England's published test number
        "9434765870",
        "4010232137",
        "9990000026",
        "1000000060",  # the sum is a multiple of 11: check digit 11 is written 0
    ],
)
def test_numbers_that_pass_the_nhs_check_digit_are_valid(number):
    assert pii.is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "9434765910",
        "1234567890",  # the check digit would have to be 10: never a valid number
        "0000000001",
        "943476591",  # nine digits
        "94347659190",  # eleven
        "943476591a",
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # Arabic digits
    ],
)
def test_numbers_that_fail_the_nhs_check_digit_are_not_valid(number):
    assert not pii.is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "text",
    [
        "Patient 943 476 5919 waited six hours",
        "NHS no. 943-476-5919.",
        "9434765919",
        "<p>ref <b>943 476 5919</b></p>",
        "(943 476 5919)",
    ],
)
def test_a_valid_nhs_number_is_found_however_it_is_grouped(text):
    assert pii.find(text) == [pii.NHS_NUMBER]


@pytest.mark.parametrize(
    "text",
    [
        "Patient 943 476 5918 waited",  # fails the check digit
        "We have 1234567890 reasons",
        "Budget 943476591900 this year",  # part of a longer number
        "Ward 7, bed 12, 4 nurses for 28 patients in 2024",
        "Call 943 4765 919",  # not in 3-3-4 groups
    ],
)
def test_ordinary_numbers_are_not_taken_for_nhs_numbers(text):
    assert pii.NHS_NUMBER not in pii.find(text)


@pytest.mark.parametrize(
    "text",
    [
        "email jo.evans@nhs.net about it",
        "<p>Contact: sam+rota@trust.nhs.uk</p>",
        "JO.EVANS@NHS.NET",
    ],
)
def test_an_email_address_is_found(text):
    assert pii.find(text) == [pii.EMAIL]


@pytest.mark.parametrize(
    "text",
    [
        "ring me on 07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900 123",
        "+44 (0)20 7946 0000",
        "(020) 7946 0000",
        "020-7946-0000",
        "0113 496 0000",
        "01632 960123",
        "016977 4567",  # a 9-digit national number (some 01 areas)
    ],
)
def test_uk_mobile_and_landline_numbers_are_found(text):
    assert pii.find(text) == [pii.PHONE]


@pytest.mark.parametrize(
    "text",
    [
        "0300 123 4567",  # organisations' 03 numbers
        "0800 123 4567",
        "extension 4567",
        "room 0123",
        "07700 9001",  # too short
        "In 2024 we saw 12,345 patients",
        "Shift 07:00 to 19:30",
    ],
)
def test_other_numbers_are_not_taken_for_phone_numbers(text):
    assert pii.PHONE not in pii.find(text)


def test_plain_text_needs_no_hold():
    assert pii.find("Water fountains on every floor, please.") == []
    assert pii.hold_reason("Water fountains", "<p>On every floor.</p>") == ""


def test_hold_reason_names_the_kind_of_detail_but_never_repeats_it():
    reason = pii.hold_reason("Call me", "943 476 5919, jo@nhs.net or 07700 900123")

    assert "an NHS number" in reason
    assert "an email address" in reason
    assert "a phone number" in reason
    assert "identify a patient or a colleague" in reason
    for detail in ("943", "jo@nhs.net", "07700"):
        assert detail not in reason
    assert len(reason) <= 200  # Post.hold_reason's length


def test_title_and_body_are_both_checked():
    assert pii.find("Ask jo@nhs.net", "nothing here") == [pii.EMAIL]
