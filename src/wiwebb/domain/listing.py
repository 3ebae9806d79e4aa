"""Lists: pages of a stable order, as DRF's PageNumberPagination numbers them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import NotFound

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
LAST = 0  # the number of `page=last` until the count is known (DRF's last_page_strings)


class InvalidPage(NotFound):
    """A page number that is not a page of the list (404 `Invalid page.`)."""

    detail = "Invalid page."


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def of(cls, page: str | None, page_size: str | None) -> PageRequest:
        """From query parameters: a bad page is `InvalidPage`; `last` is the last page; a bad size
        falls back to the default and a large one is capped, as DRF does."""
        if page == "last":
            number = LAST
        else:
            try:
                number = int(page) if page not in (None, "") else 1
            except ValueError:
                raise InvalidPage() from None
            if number < 1:
                raise InvalidPage()
        try:
            size = int(page_size) if page_size not in (None, "") else DEFAULT_PAGE_SIZE
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        if size < 1:
            size = DEFAULT_PAGE_SIZE
        return cls(number, min(size, MAX_PAGE_SIZE))

    @property
    def is_last(self) -> bool:
        return self.number == LAST

    def resolved(self, count: int) -> PageRequest:
        """This request with `last` made the number of the last page of `count` rows (1 when empty)."""
        return PageRequest(max(1, -(-count // self.size)), self.size) if self.is_last else self

    @property
    def offset(self) -> int:
        if self.is_last:
            raise ValueError("the last page's offset needs the count: resolve the request first")
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    count: int
    request: PageRequest

    @classmethod
    def of_all(cls, rows: Sequence[T], request: PageRequest) -> Page[T]:
        """The requested page of a short list held whole (`Page` refuses a page past the end)."""
        request = request.resolved(len(rows))
        return cls(rows[request.offset:request.offset + request.size], len(rows), request)

    def __post_init__(self) -> None:
        object.__setattr__(self, "request", self.request.resolved(self.count))
        # An empty list has one (empty) page; any page past the last is invalid.
        if self.request.number > 1 and self.request.offset >= self.count:
            raise InvalidPage()

    @property
    def has_next(self) -> bool:
        return self.request.offset + len(self.items) < self.count

    @property
    def has_previous(self) -> bool:
        return self.request.number > 1
