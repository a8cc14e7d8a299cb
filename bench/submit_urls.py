"""Bench-only tenant urlconf: every product route, plus ``/bench/bare-insert/`` — a bare
django-tenants view (routed to the provider's schema like any page) that inserts one row. Its
throughput is the ceiling the portal's submit is compared against (``bench_submit.py``)."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_row (payload) VALUES (%s)", [request.POST.get("payload", "")])
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare-insert/", bare_insert),
    path("", include("saas_platform.urls_tenant")),
]
