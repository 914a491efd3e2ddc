from django.urls import path
from rest_framework.routers import SimpleRouter

from casework.api import views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("service-users", views.ServiceUserViewSet, basename="service-user")
router.register("representatives", views.RepresentativeViewSet, basename="representative")
router.register("mandates", views.MandateViewSet, basename="mandate")
router.register("consents", views.ConsentViewSet, basename="consent")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
