from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, register_converter
from django.views import defaults
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from casework.api import problems
from casework.limits import IdConverter
from config import health

register_converter(IdConverter, "id")  # before the apps' URL modules, which use <id:…>

api_v1: list[URLPattern | URLResolver] = [
    path("", include("casework.api.urls")),
    path("", include("plans.api.urls")),
    path("", include("responsibility_groups.api.urls")),
    path("", include("quality_conversations.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("notifications.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    # The service is an API with an admin; its front door is the API documentation.
    path("", RedirectView.as_view(pattern_name="docs", permanent=False), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Medvirk"
admin.site.site_title = "Medvirk"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return problems.handler_bad_request(request, exception)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return problems.handler_permission_denied(request, exception)
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return problems.handler_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problems.handler_server_error(request)
    return defaults.server_error(request)
