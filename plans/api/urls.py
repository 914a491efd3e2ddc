from typing import Any

from django.urls import path
from rest_framework.routers import SimpleRouter

from plans.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")

_collection: dict[str, Any] = {"get": "list", "post": "create"}
_member: dict[str, Any] = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns = [
    *router.urls,
    path("plans/<int:pk>/pdf", views.plan_pdf, name="plan-pdf"),
    path("plans/<int:pk>/fhir", views.plan_fhir, name="plan-fhir"),
    path("plans/<int:plan_pk>/goals/", views.GoalViewSet.as_view(_collection), name="plan-goal-list"),
    path("plans/<int:plan_pk>/goals/<int:pk>/", views.GoalViewSet.as_view(_member), name="plan-goal-detail"),
    path(
        "plans/<int:plan_pk>/goals/<int:pk>/assessment/",
        views.GoalViewSet.as_view({"post": "assessment"}),
        name="plan-goal-assessment",
    ),
    path(
        "plans/<int:plan_pk>/participants/",
        views.ParticipantViewSet.as_view(_collection),
        name="plan-participant-list",
    ),
    path(
        "plans/<int:plan_pk>/participants/<int:pk>/",
        views.ParticipantViewSet.as_view(_member),
        name="plan-participant-detail",
    ),
    path(
        "plans/<int:plan_pk>/measures/", views.MeasureViewSet.as_view(_collection), name="plan-measure-list"
    ),
    path(
        "plans/<int:plan_pk>/measures/<int:pk>/",
        views.MeasureViewSet.as_view(_member),
        name="plan-measure-detail",
    ),
]
