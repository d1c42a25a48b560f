"""One way to page a list: Django's Paginator, 50 rows a page, and the line that says how many
there are ("1–50 av 1 234"). Templates include ``includes/pagination.html`` with ``page``."""

from __future__ import annotations

from django.core.paginator import Paginator

from finsam.domain import formatting as fmt

PER_PAGE = 50


def paginate(request, items, *, per_page: int = PER_PAGE, param: str = "page") -> dict:
    """``{"page": Page, "page_summary": "1–50 av 1 234", "page_query": "status=open&"}``."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    encoded = query.urlencode()
    total = paginator.count
    if total:
        summary = (
            f"{fmt.integer(page.start_index())}–{fmt.integer(page.end_index())} "
            f"av {fmt.integer(total)}"
        )
    else:
        summary = "0 av 0"
    return {
        "page": page,
        "page_summary": summary,
        "page_total": total,
        "page_query": f"{encoded}&" if encoded else "",
        "page_param": param,
    }
