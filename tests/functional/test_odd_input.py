"""Input no client should send but some will: half surrogate pairs, deep nesting, forms in other
charsets or without a boundary, values past what a column holds, ids in other scripts' digits.
Each is a 400 or 404 in the contract's words, never a 500 (and never half-written data)."""

from __future__ import annotations

import pytest

LOGIN = "/api/v1/auth/login/"
PLANS = "/api/v1/plans/"
TENANTS = "/api/v1/tenants/"
JSON = {"Content-Type": "application/json"}


def post_raw(api, url, body: bytes, content_type: str, headers=None, status=400):
    return api.post(url, body, headers={"Content-Type": content_type, **(headers or {})}, status=status)


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\uDBFF"])
def test_half_a_surrogate_pair_is_a_parse_error(api, escape):
    body = f'{{"username": "a{escape}", "password": "x"}}'.encode()

    answer = post_raw(api, LOGIN, body, "application/json").json

    assert answer == {"detail": f"JSON parse error - unpaired surrogate \\u{escape[2:].lower()} is not a character"}


def test_half_a_surrogate_pair_in_a_key_or_deep_in_a_value_too(api, root):
    assert post_raw(api, TENANTS, b'{"name": "Acme", "\\udc00": 1}', "application/json", root).json == {
        "detail": "JSON parse error - unpaired surrogate \\udc00 is not a character"}
    assert post_raw(api, TENANTS, b'{"name": "Acme", "x": [{"y": "\\ud800"}]}', "application/json", root).json == {
        "detail": "JSON parse error - unpaired surrogate \\ud800 is not a character"}
    assert api.get(TENANTS, headers=root).json["count"] == 0


def test_a_whole_surrogate_pair_is_a_character_like_any_other(api, root):
    tenant = post_raw(api, TENANTS, b'{"name": "Rocket \\ud83d\\ude80"}', "application/json", root, status=201).json
    assert tenant["name"] == "Rocket \U0001f680"


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded", ""])
def test_json_nested_past_the_parsers_depth_is_a_parse_error(api, content_type):
    body = b"[" * 100_000 + b"]" * 100_000

    answer = api.post(LOGIN, body, headers={"Content-Type": content_type} if content_type else {}, status=400)

    assert answer.json == {"detail": "JSON parse error - nested too deeply"}


def test_a_multipart_body_without_its_boundary_is_a_parse_error(api):
    answer = post_raw(api, LOGIN, b'{"username": "a", "password": "b"}', "multipart/form-data").json
    assert answer["detail"].startswith("Multipart form parse error - ")


def test_a_form_is_read_in_the_charset_it_declares(api):
    key = api.register("rene")["key"]
    me = {"Authorization": f"Token {key}"}

    changed = api.patch("/api/v1/auth/user/", "first_name=Ren%E9&last_name=D\xe9j\xe0".encode("latin-1"),
                        headers={**me, "Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"})

    assert (changed.json["first_name"], changed.json["last_name"]) == ("René", "Déjà")
    unknown = api.patch("/api/v1/auth/user/", b"first_name=R", status=400,
                        headers={**me, "Content-Type": "application/x-www-form-urlencoded; charset=klingon"})
    assert unknown.json == {"detail": "Form parse error - unknown charset 'klingon'"}


@pytest.mark.parametrize(("charset", "body", "detail"), [
    ("utf-7", b"username=A+2AA-&password=x", "Form parse error - unpaired surrogate \\ud800 is not a character"),
    ("unicode_escape", b"username=A\\ud800&password=x",
     "Form parse error - unpaired surrogate \\ud800 is not a character"),
    ("idna", b"username=\xff&password=x", "Form parse error - the body is not 'idna' text"),
    ("base64", b"username=a&password=x", "Form parse error - unknown charset 'base64'"),
])
def test_a_form_charset_whose_decoding_is_no_text_is_a_parse_error(api, charset, body, detail):
    answer = post_raw(api, LOGIN, body, f"application/x-www-form-urlencoded; charset={charset}").json
    assert answer == {"detail": detail}


def test_a_multipart_body_in_another_charset_is_refused_in_our_words(api):
    body = b'--X\r\nContent-Disposition: form-data; name="username"\r\n\r\nRen\xe9\r\n--X--\r\n'
    answer = post_raw(api, LOGIN, body, "multipart/form-data; boundary=X; charset=latin-1").json
    assert answer == {"detail": "Multipart form parse error - only UTF-8 is read in a multipart body"}


@pytest.mark.parametrize("path_id", ["%D9%A1", "%EF%BC%91", "9" * 5000, "0" * 30 + "1" + "0" * 19,
                                     "0" * 5000 + "1" + "0" * 19])
def test_an_id_no_row_can_have_is_not_found(api, root, path_id):
    # Arabic-Indic and full-width one, and ids longer than any integer column holds.
    assert api.get(f"/api/v1/users/{path_id}/", headers=root, status=404).json == {"detail": "Not found."}


@pytest.mark.parametrize("zeros", [30, 5000])
def test_an_id_with_leading_zeros_is_still_the_id(api, root, zeros):
    me = api.get("/api/v1/auth/user/", headers=root).json
    assert api.get(f"/api/v1/users/{'0' * zeros}{me['id']}/", headers=root).json["id"] == me["id"]


@pytest.mark.parametrize(("body", "errors"), [
    ({"pricings": [None]}, {"pricings": [{"non_field_errors": ["This field may not be null."]}]}),
    ({"pricings": [{"amount": "1"}, None]}, {"pricings": [{}, {"non_field_errors": ["This field may not be null."]}]}),
    ({"pricings": "monthly"}, {"pricings": ['Expected a list of items but got type "str".']}),
    ({"pricings": [1]}, {"pricings": [{"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}]}),
    ({"daily_time_minutes": 2**31}, {"daily_time_minutes": ["Ensure this value is less than or equal to 2147483647."]}),
    ({"daily_data_mb": 2**62}, {"daily_data_mb": ["Ensure this value is less than or equal to 2147483647."]}),
    ({"daily_data_mb": -3 * 10**9}, {"daily_data_mb": ["Ensure this value is greater than or equal to 0."]}),
    ({"pricings": [{"amount": "1", "trial_period_days": 2**40}]},
     {"pricings": [{"trial_period_days": ["Ensure this value is less than or equal to 2147483647."]}]}),
    ({"pricings": [{"amount": "10000000000"}]},
     {"pricings": [{"amount": ["Ensure that there are no more than 10 digits before the decimal point."]}]}),
    ({"pricings": [{"amount": "99999999999.99"}]},
     {"pricings": [{"amount": ["Ensure that there are no more than 12 digits in total."]}]}),
    ({"pricings": [{"amount": "10.005"}]},
     {"pricings": [{"amount": ["Ensure that there are no more than 2 decimal places."]}]}),
    ({"pricings": [{"amount": "1", "currency": "\u20ac\u20ac\u20ac"}]},
     {"pricings": [{"currency": ["Enter a valid 3-letter currency code."]}]}),
], ids=["null-item", "null-second-item", "not-a-list", "not-an-object", "minutes-past-int4", "megabytes-past-int4",
        "megabytes-far-below-zero",
        "trial-past-int4", "amount-too-many-whole-digits", "amount-too-many-digits", "amount-too-many-places",
        "currency-not-letters"])
def test_a_plan_beyond_what_its_columns_hold_is_refused_in_drf_words(api, root, body, errors):
    assert api.post_json(PLANS, {"name": "Big", **body}, headers=root, status=400).json == errors
    assert api.get(PLANS, headers=root).json["count"] == 0


def test_the_largest_values_the_columns_hold_are_taken(api, root):
    plan = api.post_json(PLANS, {"name": "Max", "daily_time_minutes": 2**31 - 1, "requires_payment": False,
                                 "pricings": [{"amount": "0", "trial_period_days": 2**31 - 1}]},
                         headers=root, status=201).json
    assert plan["daily_time_minutes"] == 2**31 - 1
    pricing = api.post_json(f"{PLANS}{plan['id']}/pricings/", {"amount": "9999999999.99"}, headers=root,
                            status=201).json["pricings"][-1]
    assert pricing["amount"] == "9999999999.99"


def test_tenants_named_alike_at_the_longest_get_slugs_that_fit(api, root):
    first = api.post_json(TENANTS, {"name": "a" * 254 + "!"}, headers=root, status=201).json
    second = api.post_json(TENANTS, {"name": "a" * 254 + "?"}, headers=root, status=201).json
    third = api.post_json(TENANTS, {"name": "a" * 254 + "."}, headers=root, status=201).json

    assert first["slug"] == "a" * 254
    assert second["slug"] == "a" * 253 + "-2" and third["slug"] == "a" * 253 + "-3"


def test_page_last_is_the_last_page_as_drf_serves_it(api, root):
    for number in range(12):
        api.post_json(TENANTS, {"name": f"Tenant {number:02}"}, headers=root, status=201)

    last = api.get(f"{TENANTS}?page=last&page_size=5", headers=root).json

    assert [t["name"] for t in last["results"]] == ["Tenant 10", "Tenant 11"]
    assert last["next"] is None and last["previous"].endswith("page=2&page_size=5")
    assert api.get(f"{TENANTS}?page=last&search=nobody", headers=root).json == {
        "count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("currency", ["jpy", "KRW", "kwd"])
def test_a_currency_whose_minor_unit_is_not_a_hundredth_is_refused(api, root, currency):
    # Amounts go to Stripe in hundredths: ¥10 would be charged as ¥1000.
    message = f"Currency {currency.upper()} is not supported: amounts are kept in hundredths of a unit."
    payment = api.post_json("/api/v1/payments/", {"amount": "10", "currency": currency, "description": "x"},
                            headers=root, status=400).json
    plan = api.post_json(PLANS, {"name": "Yen", "pricings": [{"amount": "10", "currency": currency}]},
                         headers=root, status=400).json
    assert payment == {"currency": [message]} and plan == {"pricings": [{"currency": [message]}]}
