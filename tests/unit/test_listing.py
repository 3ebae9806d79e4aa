"""Page requests read from query parameters as DRF's PageNumberPagination reads them."""

from __future__ import annotations

import pytest

from wiwebb.domain.listing import InvalidPage, Page, PageRequest


@pytest.mark.parametrize(("page", "size", "expected"), [
    (None, None, PageRequest(1, 10)), ("", "", PageRequest(1, 10)), ("3", "20", PageRequest(3, 20)),
    ("2", "500", PageRequest(2, 100)), ("2", "abc", PageRequest(2, 10)), ("2", "0", PageRequest(2, 10)),
])
def test_numbers_and_sizes(page, size, expected):
    assert PageRequest.of(page, size) == expected


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "Last"])
def test_a_page_that_is_no_number_is_invalid(page):
    with pytest.raises(InvalidPage):
        PageRequest.of(page, None)


@pytest.mark.parametrize(("count", "number"), [(0, 1), (1, 1), (10, 1), (11, 2), (100, 10), (101, 11)])
def test_last_is_the_last_pages_number_once_the_count_is_known(count, number):
    last = PageRequest.of("last", "10")
    assert last.is_last and last.resolved(count) == PageRequest(number, 10)
    assert Page([], count, last).request == PageRequest(number, 10)  # what the links are made from


def test_the_last_page_has_no_offset_before_it_is_resolved():
    with pytest.raises(ValueError, match="resolve the request first"):
        _ = PageRequest.of("last", None).offset
