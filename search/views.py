"""The visitor's search page: /<language>/search/?q=…&type=…&theme=…&page=N."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from routes.recommender.serving import popular_routes as most_popular_routes

from .forms import SearchForm
from .query import search as run_search
from .signals import site_search_performed

POPULAR_ROUTES = 6


def search(request: HttpRequest) -> HttpResponse:
    """Search results in the visitor's language only; bad input gets a message and a 400, never an error page."""
    language = translation.get_language()
    form = SearchForm(request.GET)
    status, results, message = 200, None, ""
    if not form.is_valid():
        status = 400
    elif form.terms:
        data = form.cleaned_data
        page = data["page"] or 1
        results = run_search(
            form.terms, language, page_type=data["type"], theme=data["theme"], page=page, request=request
        )
        if results.out_of_range and results.total:
            status, message = 404, _("There is no such page of results.")
        elif page == 1:
            site_search_performed.send(sender=search, term=data["q"], language=language, result_count=results.total)
    popular_routes = []
    if results is not None and results.total == 0:
        popular_routes = most_popular_routes(POPULAR_ROUTES)
    context = {
        "form": form,
        "query": form.cleaned_data["q"] if form.is_valid() else "",
        "typed": request.GET.get("q", "")[:200],  # given back in the form, to be corrected
        "results": results,
        "message": message,
        "popular_routes": popular_routes,
    }
    return render(request, "search/search.html", context, status=status)
