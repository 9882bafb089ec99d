"""Benchmark only: the app's URLs plus the anchor of benchmarks/subsidies_lookup.py, a minimal
Django view doing the one indexed lookup (the application by its reference) and answering a
tiny JSON. Served by the same gunicorn, settings and middleware as the product."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kpitracker.urls import handler400, handler403, handler404  # noqa: F401  (the same pages)
from kpitracker.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def anchor(request):
    from subsidies.models import Application

    reference = json.loads(request.body)["reference"]
    row = Application.objects.filter(reference=reference).values_list("id", "step").first()
    return JsonResponse({"found": row is not None, "step": row[1] if row else None})


urlpatterns = [path("bench/anchor/", anchor), *app_urlpatterns]
